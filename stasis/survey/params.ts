/**
 * Per-number params in prompt text: every `<key>` is replaced by the number's value for that key.
 * Digit-only string values are spelled digit by digit ("123" → "1 2 3"), as v1.35 does, so account and
 * order numbers are read out as digits; pass words (or a JSON number) to have them read as a number.
 */
export function substituteParams(text: string, params: Record<string, unknown>): string {
  let out = text;
  for (const [key, raw] of Object.entries(params)) {
    if (raw === null || raw === undefined || typeof raw === 'object') continue;
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? raw.split('').join(' ') : String(raw);
    out = out.split(`<${key}>`).join(value);
  }
  return out;
}
