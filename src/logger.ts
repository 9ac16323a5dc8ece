import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; one logger per process, children per request and per call. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'autodialer' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
