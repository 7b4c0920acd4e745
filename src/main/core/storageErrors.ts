/** A file-system error from the data folder, in plain words: what could not be saved, where, and why. */
import { fail, type Result } from '../../shared/errors';

const REASONS: Record<string, string> = {
  EACCES: 'this user may not write there (permission denied)',
  EPERM: 'this user may not write there (not permitted)',
  ENOSPC: 'the disk is full',
  EDQUOT: 'this user’s disk quota is used up',
  EROFS: 'that folder is on a read-only disk',
  EIO: 'the disk reported a read or write error',
  ENOTDIR: 'part of that path is a file, not a folder',
  EISDIR: 'a folder is in the way of a file',
  ENAMETOOLONG: 'the path is too long for this system',
  EMFILE: 'too many files are open at once',
};

/** Reading fails for its own reasons; the rest read as they do for a write. */
const READ_REASONS: Record<string, string> = {
  EACCES: 'this user may not read it (permission denied)',
  EPERM: 'this user may not read it (not permitted)',
};

function reasonFrom(table: Record<string, string>, error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(table, code) ? table[code] : undefined;
}

export function storageReason(error: unknown): string {
  return reasonFrom(REASONS, error) ?? `the system said: ${String((error as Error | undefined)?.message ?? error)}`;
}

/** `what` in the learner's words ("Your guide progress"), `where` a folder or file. */
export function storageFailure(what: string, where: string, error: unknown): Result<never> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return fail(
    'STORAGE',
    `${what} cannot be saved in ${where}: ${storageReason(error)}.`,
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'Free some disk space, then try again.'
      : 'Start the lab with a folder you can write to (npm run web -- --data-dir DIR), or fix that folder’s permissions.',
    code,
  );
}

/** A file in the data folder that exists but cannot be read: `what` in the learner's words, `where` the file. */
export function storageReadFailure(what: string, where: string, error: unknown): Result<never> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return fail(
    'STORAGE',
    `${what} in ${where} cannot be read: ${reasonFrom(READ_REASONS, error) ?? storageReason(error)}.`,
    'Nothing was changed. Fix that file or its permissions, or start the lab with another folder (npm run web -- --data-dir DIR).',
    code,
  );
}
