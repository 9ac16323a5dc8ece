/**
 * Dialing windows (pure). timeStart/timeEnd are minutes from local midnight, inclusive; timeStart > timeEnd
 * crosses midnight; 0..1440 is all day. A number's timeOffsetMinutes of NULL or 0 means the PBX's local time
 * (config timezone), any other value means UTC + offset (the original's Aug-2026 rule).
 */

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in an IANA zone. */
export function minutesInZone(nowMs: number, timeZone: string): number {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    fmtCache.set(timeZone, f);
  }
  let h = 0;
  let m = 0;
  for (const p of f.formatToParts(new Date(nowMs))) {
    if (p.type === 'hour') h = Number(p.value);
    else if (p.type === 'minute') m = Number(p.value);
  }
  return h * 60 + m;
}

export function minutesForNumber(nowMs: number, offsetMinutes: number | null, timeZone: string): number {
  if (!offsetMinutes) return minutesInZone(nowMs, timeZone);
  const utc = Math.floor(nowMs / 60_000) % 1440;
  return (((utc + offsetMinutes) % 1440) + 1440) % 1440;
}

export function inWindow(minutes: number, timeStart: number, timeEnd: number): boolean {
  if (timeStart <= 0 && timeEnd >= 1440) return true;
  if (timeStart <= timeEnd) return minutes >= timeStart && minutes <= timeEnd;
  return minutes >= timeStart || minutes <= timeEnd;
}

export function isAllowedNow(
  nowMs: number,
  offsetMinutes: number | null,
  task: { timeStart: number; timeEnd: number },
  timeZone: string,
): boolean {
  return inWindow(minutesForNumber(nowMs, offsetMinutes, timeZone), task.timeStart, task.timeEnd);
}

/** Real milliseconds until the next whole minute: the earliest moment a window can open. */
export function msToNextMinute(nowMs: number): number {
  return 60_000 - (nowMs % 60_000) + 5;
}
