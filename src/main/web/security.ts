/** The web host's locks, as pure functions so each refusal is tested on its own. */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import { rendererCsp } from '../../shared/csp';
import path from 'node:path';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The only names this host answers to; anything else is a DNS-rebinding attempt or a stranger. */
export function allowedHosts(port: number): string[] {
  // On port 80 a browser leaves the port out of Host and Origin, as it is http's default (RFC 9110 section 7.2).
  return ['127.0.0.1', 'localhost'].flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`]));
}

export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  return typeof hostHeader === 'string' && allowedHosts(port).includes(hostHeader.toLowerCase());
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return typeof origin === 'string' && allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}

/** The renderer's policy (src/shared/csp.ts), with this port's own WebSocket the only socket the page may open. */
export function contentSecurityPolicy(port: number): string {
  const sockets = allowedHosts(port).map((host) => `ws://${host}`);
  return rendererCsp({ delivery: 'header', connectSrc: ["'self'", ...sockets] });
}

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/**
 * A request's path, normalised once, so one rule can decide on it: percent-decoded (once), dots resolved, slashes
 * collapsed, a trailing slash dropped. An encoded slash or backslash (%2F, %5C) or a NUL is refused, not decoded:
 * each would let one path be spelled as another.
 */
export function normalizeRequestPath(pathname: string): PathCheck {
  const refused = {
    ok: false,
    reason: 'That address is not valid here: it has an encoded slash (%2F), an encoded backslash (%5C) or a NUL.',
  } as const;
  if (/%(?:2f|5c|00)/i.test(pathname)) return refused;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, reason: 'That address is not valid: it has a % that does not start a %XX escape.' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) return refused;
  // posix.normalize resolves . and .. (never above the root) and collapses runs of slashes.
  const normal = path.posix.normalize(`/${decoded}`);
  return { ok: true, path: normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal };
}
