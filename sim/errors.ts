/** An ARI error answer: Asterisk replies {"message": "..."} (a few paths use {"error": "..."}). */
export class AriError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: 'message' | 'error' = 'message',
  ) {
    super(message);
  }
  body(): Record<string, string> {
    return { [this.field]: this.message };
  }
}

export const channelNotFound = () => new AriError(404, 'Channel not found');
export const notInStasis = () => new AriError(409, 'Channel not in Stasis application');
