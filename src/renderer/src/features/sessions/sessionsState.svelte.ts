/**
 * Kept sessions on the learner's side: the sessions list, the offer to reopen one a crash left behind, the
 * read-only replay of a saved session, Save as, and opening a transcript file. Main keeps the sessions on disk;
 * this class only asks it, through LabApi, and reads the answers.
 */
import type { HelloInfo, LabApi, LabProgress } from '../../../../shared/contract';
import type { LabError, Result } from '../../../../shared/errors';
import { LIMITS } from '../../../../shared/limits';
import type { ExportFormat, SessionId, SessionListing } from '../../../../shared/transcript';
import { LabSessionStore } from '../session/labSession.svelte';

/** Why a saved session is on screen: the banner's first words. */
export type ReplayReason = 'opened' | 'recovered' | 'reloaded';

export interface Replay {
  listing: SessionListing;
  reason: ReplayReason;
  store: LabSessionStore;
  /** The guide progress the session kept (its last progress entry), if any. */
  progress: LabProgress | null;
  /** True once every page has been read. */
  loaded: boolean;
  problem: LabError | null;
}

/** Something the learner should read after an action: saved, opened, or why not. */
export interface SessionsMessage {
  tone: 'ok' | 'bad';
  text: string;
}

export interface SessionsOptions {
  lab: LabApi;
  /** The browser's way to open a file; absent in the desktop app, which hands files over in pieces. */
  uploadTranscript?: (file: Blob, fileName: string) => Promise<Result<SessionListing>>;
  /** Follows a download link (the browser's Save as); the default clicks a temporary <a download>. */
  download?: (url: string, fileName: string) => void;
}

const RELOAD_KEY = 'socket-lab:session-before-reload';

function followDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
}

function words(error: LabError): string {
  return `${error.message} ${error.hint}`;
}

export class SessionsState {
  readonly #lab: LabApi;
  readonly #upload: SessionsOptions['uploadTranscript'];
  readonly #download: (url: string, fileName: string) => void;
  #liveId = $state<SessionId | null>(null);
  #journalProblem = $state<LabError | null>(null);
  #sessions = $state.raw<SessionListing[]>([]);
  #recoverable = $state.raw<SessionListing[]>([]);
  #replay = $state<Replay | null>(null);
  #message = $state<SessionsMessage | null>(null);
  #busy = $state(false);
  /** Bumped by every replay; a replay's pages stop loading once another one replaced it. */
  #replayGeneration = 0;

  constructor(options: SessionsOptions) {
    this.#lab = options.lab;
    this.#upload = options.uploadTranscript;
    this.#download = options.download ?? followDownload;
  }

  /** This window's own session, as main keeps it; null when it is not being saved. */
  get liveId(): SessionId | null {
    return this.#liveId;
  }

  /** Why this session is not being saved, when it is not. */
  get journalProblem(): LabError | null {
    return this.#journalProblem;
  }

  get sessions(): readonly SessionListing[] {
    return this.#sessions;
  }

  /** Sessions a crash left behind, newest first, not yet opened or put away. */
  get recoverable(): readonly SessionListing[] {
    return this.#recoverable;
  }

  get replay(): Replay | null {
    return this.#replay;
  }

  get message(): SessionsMessage | null {
    return this.#message;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** The browser opens files by uploading them; the desktop app asks main to show its Open dialog. */
  get canUpload(): boolean {
    return this.#upload !== undefined;
  }

  /** The session the byte log shows now: the replay's, else this window's own. */
  get shownId(): SessionId | null {
    return this.#replay?.listing.id ?? this.#liveId;
  }

  dismissMessage(): void {
    this.#message = null;
  }

  /**
   * Once hello has answered: remember this tab's session so a reload can bring it back, offer what a crash left,
   * and reopen the session this tab had before it was reloaded.
   */
  async start(hello: HelloInfo, storage: Storage | null = sessionStorageOrNull()): Promise<void> {
    this.#liveId = hello.sessionId;
    this.#journalProblem = hello.journalProblem ?? null;
    const before = storage?.getItem(RELOAD_KEY) ?? null;
    if (hello.sessionId) storage?.setItem(RELOAD_KEY, hello.sessionId);
    const recoverable = await this.#lab.recoverableSessions();
    if (recoverable.ok) this.#recoverable = recoverable.value;
    if (before && before !== hello.sessionId) {
      const listed = await this.refresh();
      const previous = listed.find((session) => session.id === before);
      // Only a session that did something is worth bringing back; an empty page reloaded is just a reload.
      if (previous && previous.connections > 0) await this.open(previous, 'reloaded');
    }
  }

  async refresh(): Promise<readonly SessionListing[]> {
    const listed = await this.#lab.listSessions();
    if (listed.ok) this.#sessions = listed.value;
    else this.#message = { tone: 'bad', text: `The sessions list could not be read: ${words(listed.error)}` };
    return this.#sessions;
  }

  /** Shows a kept session read-only in the byte log, reading it from main page by page. */
  async open(listing: SessionListing, reason: ReplayReason = 'opened'): Promise<void> {
    const generation = ++this.#replayGeneration;
    const store = LabSessionStore.forReplay();
    this.#replay = { listing, reason, store, progress: null, loaded: false, problem: null };
    if (this.#recoverable.some((session) => session.id === listing.id)) void this.putAway(listing.id);
    let cursor: number | null = 0;
    let progress: LabProgress | null = null;
    while (cursor !== null) {
      const page = await this.#lab.readSession(listing.id, cursor);
      if (generation !== this.#replayGeneration) return;
      if (!page.ok) {
        if (this.#replay) this.#replay.problem = page.error;
        return;
      }
      store.replay(page.value.entries);
      for (const entry of page.value.entries) if (entry.kind === 'progress') progress = entry.progress;
      cursor = page.value.next;
    }
    if (this.#replay) {
      this.#replay.progress = progress;
      this.#replay.loaded = true;
    }
  }

  /** Back to this window's own, live session. */
  closeReplay(): void {
    this.#replayGeneration += 1;
    this.#replay?.store.dispose();
    this.#replay = null;
  }

  async putAway(id: SessionId): Promise<void> {
    this.#recoverable = this.#recoverable.filter((session) => session.id !== id);
    await this.#lab.putAwaySession(id);
  }

  async remove(id: SessionId): Promise<Result<null>> {
    const result = await this.#lab.deleteSession(id);
    if (result.ok) {
      if (this.#replay?.listing.id === id) this.closeReplay();
      this.#recoverable = this.#recoverable.filter((session) => session.id !== id);
      this.#message = { tone: 'ok', text: 'The session was deleted.' };
    } else {
      this.#message = { tone: 'bad', text: `The session was not deleted: ${words(result.error)}` };
    }
    await this.refresh();
    return result;
  }

  /** Save as: a download in the browser, the system's Save dialog in the desktop app. */
  async save(id: SessionId, format: ExportFormat): Promise<void> {
    this.#busy = true;
    try {
      const result = await this.#lab.saveSession(id, format);
      if (!result.ok) {
        this.#message = { tone: 'bad', text: `The session was not saved: ${words(result.error)}` };
      } else if (result.value.kind === 'download') {
        this.#download(result.value.url, result.value.fileName);
        this.#message = { tone: 'ok', text: `Downloading ${result.value.fileName}.` };
      } else if (result.value.kind === 'saved') {
        this.#message = { tone: 'ok', text: `Saved as ${result.value.fileName}.` };
      }
    } finally {
      this.#busy = false;
    }
  }

  /** The desktop app's Open dialog (main shows it and reads the file). */
  async openWithDialog(): Promise<void> {
    const result = await this.#lab.openSessionFile();
    if (!result.ok) this.#message = { tone: 'bad', text: `That file was not opened: ${words(result.error)}` };
    else if (result.value.kind === 'opened') await this.#opened(result.value.session);
  }

  /** A file the learner picked or dropped: uploaded in the browser, handed over in pieces in the desktop app. */
  async openFile(file: File): Promise<void> {
    this.#busy = true;
    try {
      const result = this.#upload ? await this.#upload(file, file.name) : await this.#handOver(file);
      if (!result.ok) this.#message = { tone: 'bad', text: `${file.name} was not opened: ${words(result.error)}` };
      else await this.#opened(result.value);
    } finally {
      this.#busy = false;
    }
  }

  async #opened(listing: SessionListing): Promise<void> {
    this.#message = { tone: 'ok', text: `Opened ${listing.importedFrom ?? 'the session'}.` };
    void this.refresh();
    await this.open(listing, 'opened');
  }

  async #handOver(file: File): Promise<Result<SessionListing>> {
    const begun = await this.#lab.beginImport(file.name, file.size);
    if (!begun.ok) return begun;
    const { importId } = begun.value;
    for (let at = 0; at < file.size; at += LIMITS.maxSendBytes) {
      const piece = new Uint8Array(await file.slice(at, at + LIMITS.maxSendBytes).arrayBuffer());
      const sent = await this.#lab.importChunk(importId, piece);
      if (!sent.ok) return sent;
    }
    return this.#lab.finishImport(importId);
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
