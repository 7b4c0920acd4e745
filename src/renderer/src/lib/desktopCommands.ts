/**
 * The desktop app's native menu and the files the system hands it, carried out on this page as if the learner had
 * clicked the matching button. Only the desktop app has `window.labDesktop`; in the browser this does nothing.
 */
import type { ConnectionId, Unsubscribe } from '../../../shared/contract';
import type { DesktopBridge, DesktopCommand } from '../../../shared/desktop';
import type { ExportFormat, SessionId, SessionListing } from '../../../shared/transcript';

declare global {
  interface Window {
    labDesktop?: DesktopBridge;
  }
}

/** What the commands act on (SessionsState, LabSessionStore and LabUiState provide these). */
export interface DesktopCommandTargets {
  sessions: {
    readonly shownId: SessionId | null;
    readonly replay: unknown;
    openWithDialog(): Promise<void>;
    save(id: SessionId, format: ExportFormat): Promise<void>;
    open(listing: SessionListing, reason: 'opened'): Promise<void>;
    refresh(): Promise<unknown>;
  };
  store: { close(id: ConnectionId): Promise<unknown> };
  ui: { readonly selectedConnectionId: ConnectionId | null };
  /** Edit › Undo and Redo in the focused text box (historyStep.ts). */
  page: { historyStep(step: 'undo' | 'redo'): void };
}

export function runDesktopCommand(command: DesktopCommand, { sessions, store, ui, page }: DesktopCommandTargets): void {
  switch (command.kind) {
    case 'open-file':
      void sessions.openWithDialog();
      return;
    case 'save-as': {
      // The session on screen: a replayed one when it is shown, else this window's own.
      const id = sessions.shownId;
      if (id) void sessions.save(id, command.format);
      return;
    }
    case 'close-connection': {
      // A replay is read-only; only the live session's selected connection can be closed.
      const id = ui.selectedConnectionId;
      if (!sessions.replay && id) void store.close(id);
      return;
    }
    case 'show-session':
      void sessions.refresh();
      void sessions.open(command.session, 'opened');
      return;
    case 'undo':
    case 'redo':
      page.historyStep(command.kind);
      return;
  }
}

/** Follows the desktop bridge's commands until the returned function is called (nothing to follow in a browser). */
export function followDesktopCommands(
  bridge: DesktopBridge | undefined,
  targets: DesktopCommandTargets,
): Unsubscribe | undefined {
  return bridge?.onCommand((command) => runDesktopCommand(command, targets));
}
