/**
 * Transcripts the system hands the app (a double-clicked `.socketlab`, a file on the command line, macOS
 * 'open-file', a second launch), and the page inbox that holds what a window's page cannot take yet.
 */
import path from 'node:path';
import { EXPORT_EXTENSIONS } from '../../shared/transcript';
import type { DesktopCommand } from '../../shared/desktop';

const EXTENSION = EXPORT_EXTENSIONS.socketlab;

/** The `.socketlab` files named on a command line, made absolute against the folder it was run in. */
export function transcriptPathsIn(argv: readonly string[], cwd: string): string[] {
  const files = argv
    .filter((arg) => !arg.startsWith('-') && arg.toLowerCase().endsWith(EXTENSION))
    .map((arg) => path.resolve(cwd, arg));
  return [...new Set(files)];
}

/** What a second launch asks for: the files it passed itself (additionalData), else those on its command line. */
export function filesFromSecondInstance(argv: readonly string[], cwd: string, additionalData: unknown): string[] {
  const files = (additionalData as { files?: unknown } | null | undefined)?.files;
  if (Array.isArray(files) && files.every((file): file is string => typeof file === 'string')) {
    return transcriptPathsIn(files, cwd);
  }
  return transcriptPathsIn(argv, cwd);
}

/** The parts of a WebContents the inbox uses. */
export interface InboxContents {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, command: DesktopCommand): void;
}

/**
 * Per window: whether its page listens for desktop commands yet, and the files waiting until it does. A menu
 * command for a page that is not listening is dropped (it was meant for the page on screen, which has none).
 */
export class PageInbox<C extends InboxContents = InboxContents> {
  private readonly channel: string;
  private readonly listeningPages = new Set<number>();
  private readonly waiting = new Map<number, DesktopCommand[]>();

  constructor(channel: string) {
    this.channel = channel;
  }

  isListening(contents: C): boolean {
    return this.listeningPages.has(contents.id) && !contents.isDestroyed();
  }

  /** Sends now when the page listens; otherwise keeps it for the page's first listener when `keep`, else drops it. */
  deliver(contents: C, command: DesktopCommand, keep: boolean): boolean {
    if (this.isListening(contents)) {
      contents.send(this.channel, command);
      return true;
    }
    if (keep) this.waiting.set(contents.id, [...(this.waiting.get(contents.id) ?? []), command]);
    return false;
  }

  /** The page said it listens: hand it everything that waited. */
  listening(contents: C): void {
    this.listeningPages.add(contents.id);
    const waiting = this.waiting.get(contents.id) ?? [];
    this.waiting.delete(contents.id);
    for (const command of waiting) contents.send(this.channel, command);
  }

  /** A new page replaced the old one: it must say again that it listens; what waits, waits for it. */
  pageGone(id: number): void {
    this.listeningPages.delete(id);
  }

  forget(id: number): void {
    this.listeningPages.delete(id);
    this.waiting.delete(id);
  }
}
