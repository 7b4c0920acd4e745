/**
 * What the lab's pages may do beyond showing themselves: nothing, except write to the clipboard. No navigation, no
 * new windows, no webviews, no requests to the network, no permission but clipboard writes for our own page.
 */
import type { Session, WebContents } from 'electron';
import { originOf } from './senderGuard';

/** Copy in the byte log and the code twin uses navigator.clipboard.writeText, which asks for this one. */
const PAGE_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** A permission is granted only when it is one the lab needs and our own page's main frame asks for it. */
export function mayHavePermission(
  permission: string,
  requestingUrl: string | undefined,
  isMainFrame: boolean,
  trustedOrigins: readonly string[],
): boolean {
  if (!PAGE_PERMISSIONS.has(permission) || !isMainFrame || !requestingUrl) return false;
  const origin = originOf(requestingUrl);
  return origin !== null && trustedOrigins.includes(origin);
}

export function lockDownPermissions(session: Session, trustedOrigins: readonly string[]): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(mayHavePermission(permission, details.requestingUrl, details.isMainFrame, trustedOrigins));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    mayHavePermission(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame, trustedOrigins),
  );
  // No USB, serial or HID device is ever the lab's business.
  session.setDevicePermissionHandler(() => false);
}

/** Offline by design: the page loads only from app:// (or the dev server under `npm run dev`), never the network. */
export function refuseRemoteRequests(session: Session, allowedOrigins: readonly string[]): void {
  session.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] },
    (details, callback) => {
      const origin = originOf(details.url);
      callback({ cancel: origin === null || !allowedOrigins.includes(origin) });
    },
  );
}

const lockedDown = new WeakSet<WebContents>();

/** The lab page never leaves itself and opens no windows; it has no need of the web or the OS shell. */
export function lockDownContents(contents: WebContents): void {
  if (lockedDown.has(contents)) return;
  lockedDown.add(contents);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
