/**
 * Witness of every call the dialer asked for: crash tests use it to prove that no number was in two
 * calls at once and that no channel id was originated twice.
 */
export interface CallRecord {
  channelId: string;
  endpoint: string;
  /** Customer number or agent extension the endpoint resolved to ('' if none). */
  number: string;
  app: string;
  mode: 'originate' | 'create';
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  outcome?: string;
  /** Simulated ms after which the far end was scripted to answer (including seeded jitter). */
  scriptedAnswerMs?: number;
  cause?: number;
  /** Set when the request was refused because the channel id was already in use (HTTP 409). */
  rejected?: string;
}

export class CallLog {
  readonly records: CallRecord[] = [];

  add(r: CallRecord): CallRecord {
    this.records.push(r);
    return r;
  }

  /** Channel ids that appear in more than one originate/create request (accepted or not). */
  duplicateChannelIds(): string[] {
    const seen = new Map<string, number>();
    for (const r of this.records) seen.set(r.channelId, (seen.get(r.channelId) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  }

  /** Pairs of accepted calls to the same number whose lifetimes overlapped. */
  overlappingNumbers(): Array<{ number: string; a: string; b: string }> {
    const out: Array<{ number: string; a: string; b: string }> = [];
    const byNumber = new Map<string, CallRecord[]>();
    for (const r of this.records) {
      if (r.rejected || !r.number) continue;
      const list = byNumber.get(r.number) ?? [];
      list.push(r);
      byNumber.set(r.number, list);
    }
    for (const [number, list] of byNumber) {
      list.sort((x, y) => x.startedAt - y.startedAt);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const cur = list[i]!;
        if ((prev.endedAt ?? Infinity) > cur.startedAt) out.push({ number, a: prev.channelId, b: cur.channelId });
      }
    }
    return out;
  }
}
