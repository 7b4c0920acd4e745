/** Disk errors in a learner's words: which folder, and why it cannot be written. */
import { fail, type LabError, type Result } from '../../../shared/errors';

function reasonFor(code: string | undefined, dir: string): { message: string; hint: string } {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return {
        message: `The lab may not write in its sessions folder ${dir} (permission denied).`,
        hint: 'Check that your user may write to that folder, or start the lab with --data-dir set to a folder you own.',
      };
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        message: `The disk that holds the sessions folder ${dir} is full.`,
        hint: 'Free some space on that disk, or delete old sessions, then start a new session.',
      };
    case 'EROFS':
      return {
        message: `The sessions folder ${dir} is on a disk that is read-only.`,
        hint: 'Start the lab with --data-dir set to a folder on a disk you can write to.',
      };
    case 'ENOTDIR':
    case 'EEXIST':
      return {
        message: `The sessions folder ${dir} cannot be made: something that is not a folder is in the way.`,
        hint: 'Move that file away, or start the lab with --data-dir set to another folder.',
      };
    case 'ENOENT':
      return {
        message: `The sessions folder ${dir} is gone (it was moved or deleted while the lab ran).`,
        hint: 'Restart the lab so it can make the folder again.',
      };
    case 'EIO':
      return {
        message: `The disk that holds the sessions folder ${dir} reported an error while the lab wrote to it.`,
        hint: 'The disk may be failing or was unplugged; save your work elsewhere and check the disk.',
      };
    case 'EMFILE':
    case 'ENFILE':
      return {
        message: `The lab has too many files open to write in its sessions folder ${dir}.`,
        hint: 'Close some sessions or other programs, then try again.',
      };
    default:
      return {
        message: `The lab could not write in its sessions folder ${dir}${code ? ` (${code})` : ''}.`,
        hint: 'Check the folder and the disk, or start the lab with --data-dir set to another folder.',
      };
  }
}

export function storageError(dir: string, error: unknown): LabError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const { message, hint } = reasonFor(typeof code === 'string' ? code : undefined, dir);
  const result = fail('STORAGE', message, hint, typeof code === 'string' ? code : String(error));
  return (result as { ok: false; error: LabError }).error;
}

export function storageFailure<T>(dir: string, error: unknown): Result<T> {
  return { ok: false, error: storageError(dir, error) };
}

/** Thrown by SessionStore.start() when no journal can be made; `labError` says why in plain words. */
export class StorageError extends Error {
  readonly labError: LabError;

  constructor(labError: LabError, options?: { cause?: unknown }) {
    super(labError.message, options);
    this.name = 'StorageError';
    this.labError = labError;
  }
}
