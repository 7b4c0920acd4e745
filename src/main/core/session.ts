/**
 * One learner's session (an Electron window or a browser tab): its connections, its event stream with flow
 * control, its journal on disk, and the lab's shared services. Both transports wrap exactly this.
 */
import { randomBytes } from 'node:crypto';
import type {
  EventBatch,
  HelloInfo,
  LabCommands,
  LabEvent,
  LabServerInfo,
  OpenOutcome,
  SaveOutcome,
  SlowMode,
  Transport,
} from '../../shared/contract';
import { fail, ok, type LabError, type Result } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import type { ExportFormat, SessionEntry, SessionId, SessionListing } from '../../shared/transcript';
import { deliveredEvent, EventDelivery } from './connections/delivery';
import { ConnectionHub, type ConnectionHubOptions } from './connections/hub';
import { StorageError, storageError, type LiveSession, type SessionStore } from './journal';
import type { ProgressStore } from './progress';
import { storageFailure } from './storageErrors';
import { AsyncQueue } from './transcripts/asyncQueue';
import type { TranscriptService } from './transcripts/service';

export interface LabServerDirectory {
  info(): LabServerInfo[];
  route(host: string, port: number): { host: string; port: number; answeredBy: string } | undefined;
  identify(address: string, port: number): string | undefined;
  setSlowMode(slow: SlowMode | null): void;
}

/** Where saved files go and come from: the transport's own way (Electron's dialogs, the web host's downloads). */
export interface SessionFiles {
  save(id: SessionId, format: ExportFormat): Promise<Result<SaveOutcome>>;
  open(): Promise<Result<OpenOutcome>>;
}

export interface LabSessionOptions {
  transport: Transport;
  appName: string;
  appVersion: string;
  runtime: Record<string, string>;
  labServers: LabServerDirectory;
  progress: ProgressStore;
  sessions: SessionStore;
  transcripts: TranscriptService;
  files: SessionFiles;
  /** Delivers one batch of events to the renderer. */
  sendBatch: (batch: EventBatch) => void;
  /** For tests: a DNS lookup that never answers, or fails. */
  lookup?: ConnectionHubOptions['lookup'];
  /** The sessions folder, to name it when the journal cannot be written there. */
  journalDir?: string;
  /** A cap over every session of the lab: a refusal in words, or ok to connect. Checked before this session's own. */
  connectAllowed?: () => Result<null>;
}

export interface LabSession {
  commands: LabCommands;
  /** The session's id on disk, or null when it could not be kept. */
  readonly id: SessionId | null;
  /** Connections this session holds now (open or finished, each a socket), for caps over every session. */
  connectionCount(): number;
  /** Ends the session: every connection reset, the journal closed properly. */
  dispose(): Promise<void>;
}

/** Entries per replay page, besides the bytes bound, so a page of many tiny events still fits one message. */
const REPLAY_PAGE_BYTES = 512 * 1024;
/** A transcript handed over in pieces that stops arriving for this long is given up. */
const IMPORT_IDLE_MS = 60_000;
const MAX_IMPORTS_AT_ONCE = 2;

interface PieceImport {
  queue: AsyncQueue<Uint8Array>;
  received: number;
  size: number;
  result: Promise<Result<SessionListing>>;
  timer: ReturnType<typeof setTimeout>;
}

export async function createLabSession(options: LabSessionOptions): Promise<LabSession> {
  let live: LiveSession | null = null;
  let journalProblem: LabError | undefined;
  /** Once the session runs: tells the renderer at once when its journal stops mid-session. */
  let tellRenderer: ((problem: LabError) => void) | null = null;
  // The first problem only: the session runs on without its journal, and hello() says why nothing is being saved;
  // a journal that stops mid-session says so in the next batch as well, so the learner knows before any reload.
  const noteJournalProblem = (error: unknown) => {
    if (journalProblem) return;
    if (error instanceof StorageError) journalProblem = error.labError;
    else if (options.journalDir) journalProblem = storageError(options.journalDir, error);
    else {
      const failure = storageFailure('This session', 'the lab’s data folder', error);
      if (!failure.ok) journalProblem = failure.error;
    }
    if (journalProblem) tellRenderer?.(journalProblem);
  };
  try {
    live = await options.sessions.start(
      { transport: options.transport, platform: process.platform, appVersion: options.appVersion },
      // A disk that fills up (or goes read-only) mid-session stops the journal; the session goes on.
      { onPressure: (paused) => setPressure('journal', paused), onError: noteJournalProblem },
    );
  } catch (error) {
    noteJournalProblem(error);
  }
  // t = 0 is the journal's startedAt on the wall clock; the hub's event times count from the same moment.
  const clockBase = performance.now() - (live ? Date.now() - live.startedAt : 0);
  const now = () => performance.now() - clockBase;
  const record = (entry: SessionEntry) => live?.append(entry);

  // Reading pauses while either the renderer or the disk is behind.
  const pressure = new Set<'delivery' | 'journal'>();
  const setPressure = (reason: 'delivery' | 'journal', paused: boolean) => {
    const before = pressure.size > 0;
    if (paused) pressure.add(reason);
    else pressure.delete(reason);
    const after = pressure.size > 0;
    if (after && !before) connections.pauseReading();
    if (!after && before) connections.resumeReading();
  };

  // Each side only calls the other after construction, so the closures may name it before it exists.
  const delivery = new EventDelivery({
    send: options.sendBatch,
    onPressure: (paused) => setPressure('delivery', paused),
  });
  tellRenderer = (problem) => delivery.tellJournalProblem(problem);
  const hubOptions: ConnectionHubOptions = {
    emit: (event: LabEvent) => {
      // The journal keeps every event whole, sent bytes too; the renderer gets a send as its offset and length.
      const kept = live?.append({ kind: 'event', t: event.t, event }) ?? [];
      delivery.push(deliveredEvent(event));
      // The journal says once when it reached its cap: the log shows it on the connection whose bytes hit it.
      const full = kept.find((entry) => entry.kind === 'journal-full');
      if (full) delivery.push({ type: 'journal-full', id: event.id, t: event.t, limitBytes: full.limitBytes });
    },
    route: (host, port) => options.labServers.route(host, port),
    identify: (address, port) => options.labServers.identify(address, port),
    now,
    labCertificates: () =>
      options.labServers.info().flatMap((info) => (info.certificate ? [info.certificate.sha256] : [])),
  };
  if (options.lookup) hubOptions.lookup = options.lookup;
  const connections = new ConnectionHub(hubOptions);

  // What the lab was like when the session began: the guide progress, and slow mode if it was on.
  if (live) record({ kind: 'progress', t: now(), progress: await options.progress.load() });
  const slowAtStart = options.labServers.info().find((server) => server.kind === 'http')?.slowMode ?? null;
  if (slowAtStart) record({ kind: 'slow-mode', t: now(), slow: slowAtStart });

  const hello: HelloInfo = {
    appName: options.appName,
    version: options.appVersion,
    platform: process.platform,
    transport: options.transport,
    runtime: options.runtime,
    sessionId: live?.id ?? null,
  };

  const imports = new Map<string, PieceImport>();
  const dropImport = (importId: string) => {
    const piece = imports.get(importId);
    if (!piece) return;
    clearTimeout(piece.timer);
    imports.delete(importId);
    piece.queue.fail(new Error('the file stopped arriving'));
  };
  const noSuchImport = () =>
    fail<never>('NOT_FOUND', 'That file is not being opened any more.', 'Drop or open the file again.');

  const commands: LabCommands = {
    hello: async () => ok(journalProblem ? { ...hello, journalProblem } : hello),
    connect: async (request) => {
      const allowed = options.connectAllowed?.() ?? ok(null);
      if (!allowed.ok) return allowed;
      return connections.connect({
        host: request.host,
        port: request.port,
        route: request.route ?? 'lab',
        timeoutMs: request.timeoutMs ?? LIMITS.connectTimeoutMs,
        tls: request.tls ?? false,
      });
    },
    send: async (id, bytes) => connections.send(id, bytes),
    end: async (id) => connections.end(id),
    close: async (id) => connections.close(id),
    abort: async (id) => connections.abort(id),
    listConnections: async () => ok(connections.list()),
    ackEvents: async (seq) => delivery.ack(seq),
    labServers: async () => ok(options.labServers.info()),
    setSlowMode: async (slow) => {
      options.labServers.setSlowMode(slow);
      record({ kind: 'slow-mode', t: now(), slow });
      return ok(null);
    },
    getProgress: async () => options.progress.read(),
    saveProgress: async (progress) => {
      record({ kind: 'progress', t: now(), progress });
      return options.progress.save(progress);
    },
    listSessions: async () => ok(await options.sessions.list()),
    recoverableSessions: async () => ok(await options.sessions.recoverable()),
    putAwaySession: async (id) => {
      await options.sessions.putAway(id);
      return ok(null);
    },
    deleteSession: async (id) => options.sessions.delete(id),
    readSession: async (id, cursor) => options.sessions.readPage(id, cursor, REPLAY_PAGE_BYTES),
    saveSession: async (id, format) => options.files.save(id, format),
    openSessionFile: async () => options.files.open(),
    beginImport: async (fileName, size) => {
      if (imports.size >= MAX_IMPORTS_AT_ONCE) {
        return fail('BAD_REQUEST', 'Two files are being opened already.', 'Wait until they are open, then try again.');
      }
      const importId = randomBytes(12).toString('base64url');
      const queue = new AsyncQueue<Uint8Array>(16);
      const piece: PieceImport = {
        queue,
        received: 0,
        size,
        result: options.transcripts.importFile(fileName, queue),
        timer: setTimeout(() => dropImport(importId), IMPORT_IDLE_MS),
      };
      imports.set(importId, piece);
      return ok({ importId });
    },
    importChunk: async (importId, bytes) => {
      const piece = imports.get(importId);
      if (!piece) return noSuchImport();
      piece.received += bytes.byteLength;
      if (piece.received > piece.size) {
        dropImport(importId);
        return fail('BAD_REQUEST', 'More of the file arrived than its size said.', 'Open the file again.');
      }
      piece.timer.refresh();
      // Waits while the reader is behind: the renderer sends the next piece only after this answer.
      await piece.queue.push(bytes);
      return ok(null);
    },
    finishImport: async (importId) => {
      const piece = imports.get(importId);
      if (!piece) return noSuchImport();
      clearTimeout(piece.timer);
      imports.delete(importId);
      piece.queue.end();
      return piece.result;
    },
  };

  let disposed: Promise<void> | undefined;
  return {
    commands,
    id: live?.id ?? null,
    connectionCount: () => connections.list().length,
    dispose() {
      disposed ??= (async () => {
        for (const importId of [...imports.keys()]) dropImport(importId);
        connections.dispose();
        delivery.dispose();
        await live?.end().catch(() => undefined);
      })();
      return disposed;
    },
  };
}
