/**
 * One lab session per window, ended only when its page is really gone: a committed main-frame navigation (a
 * reload), a crashed renderer, or a destroyed window. A navigation that starts and is then refused by will-navigate
 * ends nothing. Navigations are counted so a new page's own session, made before its commit was reported, survives.
 */
import type { LabCommands } from '../../shared/contract';
import type { LabSession } from '../core/session';

/** What this file needs of a WebContents: an id to key on, and its events. */
export interface SessionContents {
  readonly id: number;
  on(
    event: 'did-start-navigation',
    listener: (details: { isMainFrame: boolean; isSameDocument: boolean }) => void,
  ): unknown;
  on(event: 'did-navigate' | 'render-process-gone' | 'destroyed', listener: () => void): unknown;
}

interface KeptSession {
  /** The navigation the session was made in. */
  navigation: number;
  session: Promise<LabSession>;
}

export class WindowSessions<C extends SessionContents = SessionContents> {
  private readonly sessions = new Map<number, KeptSession>();
  /** Per window, the number of the newest main-frame navigation that started. */
  private readonly navigations = new Map<number, number>();
  private readonly create: (contents: C) => Promise<LabSession>;

  constructor(create: (contents: C) => Promise<LabSession>) {
    this.create = create;
  }

  /** Follows a window's page so its session ends with it. Call once per WebContents. */
  track(contents: C): void {
    const id = contents.id;
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.navigations.set(id, this.navigationOf(id) + 1);
    });
    // did-navigate fires for the main frame only, once a new document has committed.
    contents.on('did-navigate', () => this.end(id, this.navigationOf(id)));
    contents.on('render-process-gone', () => this.end(id));
    contents.on('destroyed', () => {
      this.end(id);
      this.navigations.delete(id);
    });
  }

  navigationOf(id: number): number {
    return this.navigations.get(id) ?? 0;
  }

  /** The window's session, made on its first message. */
  session(contents: C): Promise<LabSession> {
    let kept = this.sessions.get(contents.id);
    if (!kept) {
      const session = this.create(contents);
      kept = { navigation: this.navigationOf(contents.id), session };
      this.sessions.set(contents.id, kept);
      // A session that could not be made is forgotten, so the page's next message tries again.
      session.catch(() => {
        if (this.sessions.get(contents.id) === kept) this.sessions.delete(contents.id);
      });
    }
    return kept.session;
  }

  commands(contents: C): Promise<LabCommands> {
    return this.session(contents).then((made) => made.commands);
  }

  /** Ends the window's session if it was made before navigation number `before` (whatever its age when omitted). */
  end(id: number, before = Number.POSITIVE_INFINITY): void {
    const kept = this.sessions.get(id);
    if (!kept || kept.navigation >= before) return;
    this.sessions.delete(id);
    void kept.session.then(
      (made) => made.dispose(),
      () => undefined,
    );
  }
}
