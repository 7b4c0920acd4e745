/** Serving the renderer from `app://socket-lab/` (not file://), refusing anything outside its folder. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { rendererCsp } from '../../shared/csp';
import { contentTypeFor } from '../core/contentTypes';

export const APP_SCHEME = 'app';
export const APP_HOST = 'socket-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** The header every app:// response carries: the built policy, and no sockets (the desktop app uses IPC). */
export const RENDERER_CSP = rendererCsp({ delivery: 'header' });

/** The parts of Electron's `protocol` module used here (so this file stays testable in plain Node). */
export interface ProtocolLike {
  registerSchemesAsPrivileged(
    schemes: Array<{ scheme: string; privileges: { standard?: boolean; secure?: boolean } }>,
  ): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/** Must run before 'ready': app:// behaves like https (secure, standard origin) instead of file://. */
export function registerAppScheme(protocol: ProtocolLike): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

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

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });

/** One app:// request: a file of the renderer with the CSP, or 404 for anything else (never a file outside it). */
export async function handleAppRequest(rendererDir: string, request: Pick<Request, 'url' | 'method'>) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return notFound();
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound();
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    headers: {
      'Content-Type': contentTypeFor(file),
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export function serveRenderer(protocol: ProtocolLike, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => handleAppRequest(rendererDir, request));
}
