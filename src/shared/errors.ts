/** Error codes that cross the boundary. Socket codes keep Node's names so a learner can search them. */
export const ERROR_CODES = [
  // bad input, refused before any socket exists
  'BAD_REQUEST',
  'BAD_PORT',
  'BAD_HOST',
  'SEND_TOO_LARGE',
  'TOO_MANY_CONNECTIONS',
  'NOT_FOUND',
  'NOT_WRITABLE',
  'UNKNOWN_COMMAND',
  'FORBIDDEN',
  'INTERNAL',
  /** The renderer lost its link to main (the web host stopped, or the window is closing). */
  'DISCONNECTED',
  // sessions and transcript files
  /** A file that is not a transcript this version can read (truncated, corrupt, foreign, newer). */
  'BAD_FILE',
  /** A file or upload larger than the lab accepts. */
  'FILE_TOO_LARGE',
  /** The data folder cannot be written (permission, disk full, read-only). */
  'STORAGE',
  /** A saved session is read-only: it can be replayed and exported, not sent on. */
  'READ_ONLY',
  // the network said no
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EADDRINUSE',
  // TLS (the lab's own names; Node's OpenSSL code, like ERR_SSL_WRONG_VERSION_NUMBER, goes in `detail`)
  /** The other side sent a TLS alert: it refused the handshake, or ended the conversation with an error. */
  'TLS_ALERT',
  /** A TLS connection got an answer that is not TLS: the other side speaks plain bytes on that port. */
  'TLS_NOT_SPOKEN',
  /** A plain connection got a TLS alert first: the other side expects TLS first (HTTPS on 443). */
  'TLS_EXPECTED',
  /** Any other failure of the TLS handshake or of a record (the other side hung up mid-handshake, a bad record). */
  'TLS_FAILED',
  'UNKNOWN',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as data: what went wrong in plain words, and what to try next. */
export interface LabError {
  code: ErrorCode;
  /** Plain words a learner understands. */
  message: string;
  /** What to try next. */
  hint: string;
  /** The raw system code or text when it differs from `code` (e.g. an unknown `EPROTO`). */
  detail?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: LabError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string, hint: string, detail?: string): Result<T> {
  const error: LabError = { code, message, hint };
  if (detail !== undefined) error.detail = detail;
  return { ok: false, error };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
