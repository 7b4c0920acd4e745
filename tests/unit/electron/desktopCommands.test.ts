/** The page's side of the desktop menu: each command does what the matching button does. */
import { describe, expect, it, vi } from 'vitest';
import type { DesktopBridge, DesktopCommand } from '../../../src/shared/desktop';
import type { SessionListing } from '../../../src/shared/transcript';
import {
  followDesktopCommands,
  runDesktopCommand,
  type DesktopCommandTargets,
} from '../../../src/renderer/src/lib/desktopCommands';

function targets(overrides: { shownId?: string | null; replay?: unknown; selected?: string | null } = {}) {
  const sessions = {
    shownId: overrides.shownId === undefined ? 'live-session' : overrides.shownId,
    replay: overrides.replay ?? null,
    openWithDialog: vi.fn(async () => undefined),
    save: vi.fn(async () => undefined),
    open: vi.fn(async () => undefined),
    refresh: vi.fn(async () => []),
  };
  const store = { close: vi.fn(async () => ({ ok: true })) };
  const ui = { selectedConnectionId: overrides.selected === undefined ? 'c1' : overrides.selected };
  const page = { historyStep: vi.fn<(step: 'undo' | 'redo') => void>() };
  return { sessions, store, ui, page } satisfies DesktopCommandTargets;
}

const listing = { id: 'imported', importedFrom: 'lesson.socketlab' } as SessionListing;

describe('desktop commands on the page', () => {
  it('Open… opens the dialog, Save as and Export save the session on screen in their format', () => {
    const t = targets();
    runDesktopCommand({ kind: 'open-file' }, t);
    runDesktopCommand({ kind: 'save-as', format: 'socketlab' }, t);
    runDesktopCommand({ kind: 'save-as', format: 'pcapng' }, t);
    expect(t.sessions.openWithDialog).toHaveBeenCalledTimes(1);
    expect(t.sessions.save.mock.calls).toEqual([
      ['live-session', 'socketlab'],
      ['live-session', 'pcapng'],
    ]);
    const unsaved = targets({ shownId: null });
    runDesktopCommand({ kind: 'save-as', format: 'txt' }, unsaved);
    expect(unsaved.sessions.save).not.toHaveBeenCalled();
  });

  it('Close connection closes the selected live connection, and nothing in a replay or with none selected', () => {
    const t = targets();
    runDesktopCommand({ kind: 'close-connection' }, t);
    expect(t.store.close).toHaveBeenCalledWith('c1');
    for (const quiet of [targets({ replay: { listing } }), targets({ selected: null })]) {
      runDesktopCommand({ kind: 'close-connection' }, quiet);
      expect(quiet.store.close).not.toHaveBeenCalled();
    }
  });

  it('a file the system opened is shown read-only, and the sessions list is read again', () => {
    const t = targets();
    runDesktopCommand({ kind: 'show-session', session: listing }, t);
    expect(t.sessions.open).toHaveBeenCalledWith(listing, 'opened');
    expect(t.sessions.refresh).toHaveBeenCalled();
  });

  it('Edit › Undo and Redo take a step in the focused text box, and nothing else', () => {
    const t = targets();
    runDesktopCommand({ kind: 'undo' }, t);
    runDesktopCommand({ kind: 'redo' }, t);
    expect(t.page.historyStep.mock.calls).toEqual([['undo'], ['redo']]);
    expect(t.store.close).not.toHaveBeenCalled();
    expect(t.sessions.save).not.toHaveBeenCalled();
  });

  it('follows the bridge until unsubscribed; without a bridge (the browser) there is nothing to follow', () => {
    let listener: ((command: DesktopCommand) => void) | undefined;
    const stop = vi.fn();
    const bridge: DesktopBridge = {
      onCommand: (given) => {
        listener = given;
        return stop;
      },
    };
    const t = targets();
    const unsubscribe = followDesktopCommands(bridge, t);
    listener?.({ kind: 'open-file' });
    expect(t.sessions.openWithDialog).toHaveBeenCalled();
    unsubscribe?.();
    expect(stop).toHaveBeenCalled();
    expect(followDesktopCommands(undefined, t)).toBeUndefined();
  });
});
