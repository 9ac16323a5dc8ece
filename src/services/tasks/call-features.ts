import { existsSync } from 'node:fs';
import type { TaskFieldValues } from './store.js';

/**
 * Checks of a task's answering-machine fields that need more than one field (or the stored task): the
 * single-field checks are in api/routes/tasks.schema.ts.
 */

type AmdFields = Pick<TaskFieldValues, 'amd' | 'amdMessage' | 'amdMessageFile'>;
/** The stored task's fields (amd is plain text there). */
type StoredAmd = { amd: string; amdMessage: string; amdMessageFile: string };

/** Whether the request touches the answering-machine fields (a PUT that only pauses is never refused for them). */
export const setsAmd = (fields: AmdFields) => fields.amd !== undefined || fields.amdMessage !== undefined || fields.amdMessageFile !== undefined;

/**
 * amd "message" plays amdMessageFile, else speaks amdMessage, to a machine: with neither there is nothing to leave
 * on it, which is surely a mistake, so the save is refused. The fields are the stored task's with the request's
 * over them. amdMessage / amdMessageFile are kept with amd "" or "hangup" (unused then), so a CRM may set the
 * message before switching the mode on.
 */
export function checkAmdMessage(stored: StoredAmd | undefined, fields: AmdFields): string | null {
  const amd = fields.amd ?? stored?.amd ?? '';
  if (amd !== 'message') return null;
  const text = (fields.amdMessage ?? stored?.amdMessage ?? '').trim();
  const file = (fields.amdMessageFile ?? stored?.amdMessageFile ?? '').trim();
  if (text || file) return null;
  return 'Field "amd": with amd "message", amdMessage (text to speak) or amdMessageFile (an uploaded audio file) must be set';
}

/** Paths are kept as sent, minus surrounding blanks (a copied path often has them). */
export function trimAmdFile(fields: AmdFields): void {
  if (fields.amdMessageFile !== undefined) fields.amdMessageFile = fields.amdMessageFile.trim();
}

/**
 * An amdMessageFile that is not on this server is saved with a warning, as a polling's questionFile is: with
 * several dialer nodes the file may live on another PBX. Asterisk plays files without extension, so "/a/b.mp3"
 * is found when "/a/b.wav" exists.
 */
export function amdFileWarnings(fields: AmdFields): string[] {
  const f = fields.amdMessageFile;
  if (!f) return [];
  const base = f.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return existsSync(f) || existsSync(`${base}.wav`) ? [] : [`amdMessageFile "${f}" does not exist on this server`];
}
