/** Serving the renderer from `app://socket-lab/` (not file://), refusing anything outside its folder. */
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'socket-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The file a request maps to, or null when it is not ours or escapes the renderer folder. */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, '.' + pathname);
  return file.startsWith(root + path.sep) ? file : null;
}
