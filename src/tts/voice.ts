/**
 * Voice and language sent to SpeechKit for a question's `lang`, as ModuleAutoDialer v1.35 maps them
 * (spec §7.1 [L]). v1.35 matched only the misspelt "en-en"; "en-US" is accepted too because that is what
 * people write, and it was silently voiced in Russian before.
 */
export interface Voice {
  voice: string;
  lang: string;
}

export function voiceFor(lang: string | null | undefined): Voice {
  switch ((lang ?? '').trim()) {
    case 'uz-UZ':
      return { voice: 'nigora', lang: 'uz-UZ' };
    case 'en-en':
    case 'en-US':
      return { voice: 'john', lang: 'en-US' };
    default:
      return { voice: 'alena', lang: 'ru-RU' };
  }
}

/** SpeechKit v1 refuses longer texts. */
export const MAX_TEXT_LENGTH = 5000;

/**
 * What is actually spoken: markup removed (as the original's strip_tags), whitespace collapsed, and one
 * pair of surrounding double quotes dropped (the module's docs write values as "\"Спасибо\""). The cache is
 * keyed by this text, so the API's save-time preparation and the call agree on the same file.
 */
export function speakableText(text: string): string {
  const t = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}
