/**
 * What only the desktop app has, beside LabApi: its native menu and the files the system hands it (a double-clicked
 * `.socketlab`). Main sends these to the page on their own channel; the page answers with LabApi commands as if the
 * learner had clicked the matching button. The web host has no such channel, so LabApi stays the same on both.
 */
import type { Unsubscribe } from './contract';
import type { ExportFormat, SessionListing } from './transcript';

export type DesktopCommand =
  /** File › Open…: the same as the Open button (main shows its Open dialog when asked). */
  | { kind: 'open-file' }
  /** File › Save as… and File › Export ▸: save the session on screen in this format. */
  | { kind: 'save-as'; format: ExportFormat }
  /** File › Close connection: close the selected connection, like sock.close(). */
  | { kind: 'close-connection' }
  /** Main opened a transcript the system handed it: show it read-only, as after Open. */
  | { kind: 'show-session'; session: SessionListing }
  /** Edit › Undo and Redo: a step back or forward in the focused text box (the message box's own history first). */
  | { kind: 'undo' }
  | { kind: 'redo' };

export type DesktopCommandKind = DesktopCommand['kind'];

/** `window.labDesktop` in the desktop app (absent in the browser). */
export interface DesktopBridge {
  /** The first listener also tells main the page is ready for files waiting to be shown. */
  onCommand(listener: (command: DesktopCommand) => void): Unsubscribe;
}

export const DESKTOP_CHANNELS = {
  /** main -> page: one DesktopCommand. */
  command: 'desktop:command',
  /** page -> main: this page now listens for commands. */
  listening: 'desktop:listening',
} as const;
