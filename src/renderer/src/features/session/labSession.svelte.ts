/**
 * The renderer's view of one lab session: every event from main, in order, plus a summary per
 * connection. The event log only grows, so it lives in a plain array and a `$state` revision
 * counter tells readers when it changed (copying a million rows per batch would freeze the screen).
 *
 * Memory bound: at most LIMITS.rendererKeptBytes of data bytes stay here. Past it the oldest data events
 * keep their row but lose their bytes (`droppedLength(index)` says how many there were); see byteBudget.ts.
 */
import type {
  ConnectionId,
  ConnectRequest,
  Endpoint,
  EventBatch,
  LabApi,
  LabEvent,
  LabServerInfo,
  SlowMode,
  Route,
} from '../../../../shared/contract';
import { fail, type LabError, type Result } from '../../../../shared/errors';
import { LIMITS } from '../../../../shared/limits';
import type { SessionEntry } from '../../../../shared/transcript';
import { ByteBudget } from './byteBudget';

export interface ConnectionView {
  id: ConnectionId;
  /** 1, 2, 3 … in the order the learner opened them: a name for the screen, never sent to main. */
  number: number;
  host: string;
  port: number;
  route: Route;
  /** Session time (ms) of the connection's first event: the byte log counts its times from here. */
  startedAt: number;
  state: 'resolving' | 'connecting' | 'open' | 'closed';
  answeredBy?: string;
  local?: Endpoint;
  remote?: Endpoint;
  bytesOut: number;
  bytesIn: number;
  localEnded: boolean;
  peerEnded: boolean;
  closedBy?: 'local' | 'peer' | 'error' | 'abort';
  error?: LabError;
}

/** A command that main refused (bad port, not found...), shown to the learner next to the workbench. */
export interface Notice {
  at: number;
  action: string;
  error: LabError;
}

export interface LabSessionOptions {
  /** Data bytes kept in memory; default LIMITS.rendererKeptBytes. */
  keptBytes?: number;
}

function readOnly(): Result<never> {
  return fail(
    'READ_ONLY',
    'This is a saved session: it can be read and saved again, but nothing can be sent on it.',
    'Go back to the live session to connect and send.',
  );
}

/** The commands a read-only replay answers: none reach main, and each says why. */
const REPLAY_LAB: LabApi = new Proxy({} as LabApi, {
  get: (_target, name) =>
    name === 'onEvents'
      ? () => () => undefined
      : name === 'labServers'
        ? async () => ({ ok: true, value: [] })
        : async () => readOnly(),
});

export class LabSessionStore {
  readonly #lab: LabApi;
  /** A saved session opened for reading: its events come from the file, never from main. */
  readonly readOnly: boolean;
  readonly #events: LabEvent[] = [];
  readonly #budget: ByteBudget;
  #revision = $state(0);
  #connections = $state<Record<ConnectionId, ConnectionView>>({});
  // Replaced, not pushed, so `connections` re-runs when a connection is added.
  #order = $state.raw<ConnectionId[]>([]);
  #notices = $state.raw<Notice[]>([]);
  #labServers = $state.raw<LabServerInfo[]>([]);
  #unsubscribe: (() => void) | undefined;
  /** Replay: the connection of the latest event, for rows that belong to the session as a whole. */
  #lastReplayId: ConnectionId | null = null;

  constructor(lab: LabApi | null, options: LabSessionOptions = {}) {
    this.#lab = lab ?? REPLAY_LAB;
    this.readOnly = lab === null;
    this.#budget = new ByteBudget(options.keptBytes ?? LIMITS.rendererKeptBytes);
    this.#unsubscribe = this.#lab.onEvents((batch) => this.#apply(batch));
    void this.#refreshLabServers();
  }

  /** A store for a saved session: fed with `replay(entries)`, page by page; every command answers READ_ONLY. */
  static forReplay(options: LabSessionOptions = {}): LabSessionStore {
    return new LabSessionStore(null, options);
  }

  /** Adds a page of a saved session's entries to the replay, as one batch. */
  replay(entries: readonly SessionEntry[]): void {
    if (!this.readOnly) return;
    const events: LabEvent[] = [];
    for (const entry of entries) {
      if (entry.kind === 'event') {
        events.push(entry.event);
        this.#lastReplayId = entry.event.id;
      } else if (entry.kind === 'journal-full' && this.#lastReplayId !== null) {
        events.push({ type: 'journal-full', id: this.#lastReplayId, t: entry.t, limitBytes: entry.limitBytes });
      }
    }
    if (events.length > 0) this.#apply({ seq: 0, events });
  }

  async #refreshLabServers(): Promise<void> {
    const result = await this.#lab.labServers();
    if (result.ok) this.#labServers = result.value;
  }

  get lab(): LabApi {
    return this.#lab;
  }

  /** Every event of the session, oldest first. Reading it makes a `$derived`/`$effect` re-run on new events. */
  get events(): readonly LabEvent[] {
    void this.#revision;
    return this.#events;
  }

  /** Bumps once per batch of new events. */
  get revision(): number {
    return this.#revision;
  }

  /** Data bytes held in memory now (both directions, all connections). */
  get keptBytes(): number {
    void this.#revision;
    return this.#budget.keptBytes;
  }

  /** Data bytes dropped from view to stay under the bound (they are still in the journal on disk). */
  get droppedBytes(): number {
    void this.#revision;
    return this.#budget.droppedBytes;
  }

  /** Every data event before this index has had its bytes dropped from view. */
  get droppedThrough(): number {
    void this.#revision;
    return this.#budget.droppedThrough;
  }

  get keptBytesLimit(): number {
    return this.#budget.limit;
  }

  /** For the data event at `index` whose bytes were dropped from view: how many it had; otherwise 0. */
  droppedLength(index: number): number {
    return this.#budget.droppedLength(index);
  }

  get connections(): ConnectionView[] {
    return this.#order.map((id) => this.#connections[id]).filter((view): view is ConnectionView => view !== undefined);
  }

  connection(id: ConnectionId | null | undefined): ConnectionView | undefined {
    return id ? this.#connections[id] : undefined;
  }

  get notices(): readonly Notice[] {
    return this.#notices;
  }

  get labServers(): readonly LabServerInfo[] {
    return this.#labServers;
  }

  /** The lab HTTP server's slow mode as main last reported it (null: full speed). */
  get slowMode(): SlowMode | null {
    return this.#labServers.find((server) => server.kind === 'http')?.slowMode ?? null;
  }

  async setSlowMode(slow: SlowMode | null): Promise<Result<unknown>> {
    const result = this.#noticeOnError('slow mode', await this.#lab.setSlowMode(slow));
    await this.#refreshLabServers();
    return result;
  }

  async connect(request: ConnectRequest): Promise<Result<{ id: ConnectionId }>> {
    const result = await this.#lab.connect(request);
    if (result.ok) {
      const id = result.value.id;
      const view =
        this.#connections[id] ??
        this.#track(id, request.host, request.port, request.route ?? 'lab', this.#lastEventTime());
      // Events may have raced ahead of this reply; the request is the truth for what the learner asked.
      view.host = request.host;
      view.port = request.port;
      view.route = request.route ?? 'lab';
      // A connect that worked answers the earlier "Could not connect" notices: they would only confuse now.
      if (this.#notices.some((notice) => notice.action === 'connect')) {
        this.#notices = this.#notices.filter((notice) => notice.action !== 'connect');
      }
    } else {
      this.#notice('connect', result.error);
    }
    return result;
  }

  async send(id: ConnectionId, bytes: Uint8Array): Promise<Result<unknown>> {
    return this.#noticeOnError('send', await this.#lab.send(id, bytes));
  }

  async end(id: ConnectionId): Promise<Result<unknown>> {
    return this.#noticeOnError('half-close', await this.#lab.end(id));
  }

  async close(id: ConnectionId): Promise<Result<unknown>> {
    return this.#noticeOnError('close', await this.#lab.close(id));
  }

  async abort(id: ConnectionId): Promise<Result<unknown>> {
    return this.#noticeOnError('abort', await this.#lab.abort(id));
  }

  dismissNotices(): void {
    this.#notices = [];
  }

  dispose(): void {
    this.#unsubscribe?.();
  }

  #lastEventTime(): number {
    return this.#events[this.#events.length - 1]?.t ?? 0;
  }

  #noticeOnError<T>(action: string, result: Result<T>): Result<T> {
    if (!result.ok) this.#notice(action, result.error);
    return result;
  }

  #notice(action: string, error: LabError): void {
    this.#notices = [...this.#notices.slice(-19), { at: Date.now(), action, error }];
  }

  #track(id: ConnectionId, host: string, port: number, route: Route, startedAt: number): ConnectionView {
    const view: ConnectionView = {
      id,
      number: this.#order.length + 1,
      host,
      port,
      route,
      startedAt,
      state: 'resolving',
      bytesOut: 0,
      bytesIn: 0,
      localEnded: false,
      peerEnded: false,
    };
    this.#order = [...this.#order, id];
    this.#connections[id] = view;
    return this.#connections[id] as ConnectionView;
  }

  #apply(batch: EventBatch): void {
    for (const event of batch.events) {
      this.#events.push(event);
      this.#budget.admit(event);
      // Events can arrive before connect() resolves; the target is filled in from `resolving`.
      const view = this.#connections[event.id] ?? this.#track(event.id, '', 0, 'lab', event.t);
      if (event.type === 'resolving') view.startedAt = event.t;
      switch (event.type) {
        case 'resolving':
          view.host = event.host;
          view.port = event.port;
          view.route = event.route;
          break;
        case 'connecting':
          view.state = 'connecting';
          view.route = event.route;
          if (event.answeredBy) view.answeredBy = event.answeredBy;
          break;
        case 'connected':
          view.state = 'open';
          view.local = event.local;
          view.remote = event.remote;
          view.route = event.route;
          if (event.answeredBy) view.answeredBy = event.answeredBy;
          break;
        case 'data':
          if (event.dir === 'out') view.bytesOut += event.bytes.byteLength;
          else view.bytesIn += event.bytes.byteLength;
          break;
        case 'local-ended':
          view.localEnded = true;
          break;
        case 'peer-ended':
          view.peerEnded = true;
          break;
        case 'closed':
          view.state = 'closed';
          view.closedBy = event.by;
          break;
        case 'error':
          view.error = { code: event.code, message: event.message, hint: event.hint };
          break;
        case 'resolved':
          break;
      }
    }
    this.#budget.trim(this.#events);
    this.#revision++;
    // Credit for flow control: main may send more once this batch is handled.
    if (!this.readOnly) void this.#lab.ackEvents(batch.seq);
  }
}
