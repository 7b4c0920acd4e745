/** The renderer's one way to the lab: the preload bridge in Electron, otherwise the web host's WebSocket. */
import type { LabApi } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import type { SessionListing } from '../../../shared/transcript';
import { WebSocketLab, webSocketUrlFor } from './transport/webSocketLab';

declare global {
  interface Window {
    lab?: LabApi;
  }
}

export type LabConnection =
  | {
      ok: true;
      lab: LabApi;
      /** Only the web host's link can be lost while the page stays open; the desktop app has none to lose. */
      onLinkLost?: (listener: () => void) => () => void;
      /** The browser opens a transcript by uploading it; the desktop app uses its Open dialog or hands it over in pieces. */
      uploadTranscript?: (file: Blob, fileName: string) => Promise<Result<SessionListing>>;
    }
  | { ok: false; reason: string };

let cached: LabConnection | undefined;

export function connectToLab(): LabConnection {
  if (cached) return cached;
  if (window.lab) {
    cached = { ok: true, lab: window.lab };
  } else {
    const url = webSocketUrlFor(window.location);
    const lab = url ? new WebSocketLab(url) : null;
    if (lab) hideTokenFromAddress();
    cached = lab
      ? {
          ok: true,
          lab,
          onLinkLost: (listener) => lab.onLinkLost(listener),
          uploadTranscript: (file, fileName) => lab.uploadTranscript(file, fileName),
        }
      : {
          ok: false,
          reason:
            'This page was opened without its secret token. Open the lab with the full link that `npm run web` printed.',
        };
  }
  return cached;
}

/** Where this tab keeps the token for a reload (the web host's /resume.js reads it; src/main/web/server.ts). */
const TOKEN_STORAGE_KEY = 'socket-lab-token';

/**
 * Drops the token from the page's visible address, where anyone looking at the screen, a screenshot or a shared
 * screen would read it. The socket and the uploads keep it in memory; this tab keeps it for a reload.
 */
function hideTokenFromAddress(): void {
  const address = new URL(window.location.href);
  const token = address.searchParams.get('token');
  if (!token) return;
  try {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // No storage here: the page still works; only a reload needs the printed link again.
  }
  address.searchParams.delete('token');
  history.replaceState(history.state, '', `${address.pathname}${address.search}${address.hash}`);
}
