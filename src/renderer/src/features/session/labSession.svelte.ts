/**
 * The renderer's view of one lab session: every event from main, in order, a summary per connection, and the
 * byte streams and row lists the byte log reads.
 *
 * Events are handled batch by batch (stored, counted, fed to the streams, acknowledged for flow control), but the
 * screen is told about them at a steady rate: `RedrawClock` draws at once after a quiet spell and then about ten
 * times a second while data streams. A draw publishes what changed: the store's own change signal (events,
 * connections, counts) and that of each stream and row list that grew. Components read the store and those
 * classes; nothing passes a version number around.
 *
 * Memory is bounded (see EventLog): LIMITS.rendererKeptBytes of data bytes (a TLS connection's wire bytes count too)
 * and LIMITS.rendererKeptRows rows.
 *
 * A send comes back from main as its offset and length only (SentEvent); the bytes are the ones this store sent
 * (SentBytes puts them back), so every reader still sees a data event with its bytes.
 */
import type {
  ConnectionId,
  ConnectRequest,
  ConnectionSummary,
  ConnectionTlsSummary,
  DeliveredEvent,
  EventBatch,
  LabApi,
  LabEvent,
  LabServerInfo,
  SlowMode,
  Route,
  SendReceipt,
  TlsSessionInfo,
} from '../../../../shared/contract';
import { fail, type LabError, type Result } from '../../../../shared/errors';
import { LIMITS } from '../../../../shared/limits';
import { GapFinder, type Hole, type SessionEntry } from '../../../../shared/transcript';
import { ByteStream } from './byteStream.svelte';
import { AllRows, RowFilter, type LogRows, type RowFilterOptions } from './rowFilter.svelte';
import { EventLog } from './eventLog';
import { RedrawClock, type Clock } from './redrawClock';
import { SentBytes } from './sentBytes';

/** Main's ConnectionSummary seen from the renderer: its own state words, a screen number, and how it ended. */
export interface ConnectionView extends Omit<ConnectionSummary, 'state' | 'tls'> {
  /** 1, 2, 3 … in the order the learner opened them: a name for the screen, never sent to main. */
  number: number;
  /** Session time (ms) of the connection's first event: the byte log counts its times from here. */
  startedAt: number;
  state: 'resolving' | 'connecting' | 'open' | 'closed';
  closedBy?: 'local' | 'peer' | 'error' | 'abort';
  error?: LabError;
  /** A connection that asked for TLS: `bytesIn`/`bytesOut` then count the plain bytes inside it. */
  tls?: ConnectionTlsView;
}

export interface ConnectionTlsView extends Pick<ConnectionTlsSummary, 'wireBytesIn' | 'wireBytesOut'> {
  /** What the handshake settled, once it has (the `tls` event); undefined while it is under way or if it failed. */
  session?: TlsSessionInfo;
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
  /** Rows kept in memory; default LIMITS.rendererKeptRows. */
  keptRows?: number;
  /** For tests: the redraw interval and the clock it runs on. */
  redrawIntervalMs?: number;
  clock?: Clock;
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

/** Streams and per-connection row lists kept up to date at once; the least recently asked for goes first. */
const FOLLOWED_STREAMS = 8;
const FOLLOWED_FILTERS = 4;

interface Streams {
  in?: ByteStream;
  out?: ByteStream;
}

export class LabSessionStore {
  readonly #lab: LabApi;
  /** A saved session opened for reading: its events come from the file, never from main. */
  readonly readOnly: boolean;
  readonly #log: EventLog;
  readonly #sent = new SentBytes();
  readonly #clock: RedrawClock;
  #version = $state(0);
  /** Batches from main waiting for the bytes of a send whose answer has not come yet. */
  #held: EventBatch[] = [];
  // Plain collections on purpose: they change per batch, and the screen learns of it at the redraw (#version).
  /* eslint-disable svelte/prefer-svelte-reactivity */
  /** The connections as events left them (changed per batch), and as last drawn (new objects when changed). */
  readonly #records = new Map<ConnectionId, ConnectionView>();
  #order: ConnectionId[] = [];
  readonly #changedConnections = new Set<ConnectionId>();
  #views: Readonly<Record<ConnectionId, ConnectionView>> = {};
  #viewList: readonly ConnectionView[] = [];
  readonly #allRows: AllRows;
  readonly #streams = new Map<ConnectionId, Streams>();
  readonly #streamOrder: { id: ConnectionId; dir: 'in' | 'out' }[] = [];
  /** Row lists by connection (and whether wire rows show), most recently asked for last. */
  readonly #filters = new Map<string, RowFilter>();
  /** Replay: the data rows that stand for a saved session's holes (its `unsaved` entries), by event index. */
  readonly #holes = new Map<number, Hole>();
  /* eslint-enable svelte/prefer-svelte-reactivity */
  #notices = $state.raw<Notice[]>([]);
  /** Main said, in a batch, that this session's journal stopped: nothing more of it is being saved. */
  #journalProblem = $state.raw<LabError | null>(null);
  #labServers = $state.raw<LabServerInfo[]>([]);
  #unsubscribe: (() => void) | undefined;
  /** Replay: the connection of the latest event, for rows that belong to the session as a whole. */
  #lastReplayId: ConnectionId | null = null;
  /** The journal's cap, once it was reached: past it the saved session does not have the bytes either. */
  #journalLimit: number | null = null;
  /** Replay: finds the holes a damaged record left in a recovered journal's pages (its exports mark them too). */
  readonly #gaps = new GapFinder();

  constructor(lab: LabApi | null, options: LabSessionOptions = {}) {
    this.#lab = lab ?? REPLAY_LAB;
    this.readOnly = lab === null;
    this.#log = new EventLog({
      keptBytes: options.keptBytes ?? LIMITS.rendererKeptBytes,
      keptRows: options.keptRows ?? LIMITS.rendererKeptRows,
    });
    this.#allRows = new AllRows(this.#log);
    this.#clock = new RedrawClock(() => this.#draw(), options.redrawIntervalMs, options.clock);
    this.#unsubscribe = this.#lab.onEvents((batch) => this.#receive(batch));
    void this.#refreshLabServers();
  }

  /** A store for a saved session: fed with `replay(entries)`, page by page; every command answers READ_ONLY. */
  static forReplay(options: LabSessionOptions = {}): LabSessionStore {
    return new LabSessionStore(null, options);
  }

  /**
   * Adds a page of a saved session's entries to the replay, as one batch. Bytes the session counted but has not (past
   * a full journal, or in a damaged record) get a row of their own where they arrived, with their length and why.
   */
  replay(entries: readonly SessionEntry[]): void {
    if (!this.readOnly) return;
    const events: LabEvent[] = [];
    const unknown: number[] = [];
    const holes: Hole[] = [];
    const take = (entry: SessionEntry): void => {
      if (entry.kind === 'event') {
        events.push(entry.event);
        this.#lastReplayId = entry.event.id;
      } else if (entry.kind === 'journal-full' && this.#lastReplayId !== null) {
        events.push({ type: 'journal-full', id: this.#lastReplayId, t: entry.t, limitBytes: entry.limitBytes });
      } else if (entry.kind === 'unsaved' && entry.length > 0) {
        // A row with the length and no bytes: plain bytes, or (on a TLS connection) records on the wire.
        unknown[events.length] = entry.length;
        holes[events.length] = entry.damaged === true ? 'lost' : 'not-saved';
        const { id, t, dir, offset } = entry;
        const bytes = new Uint8Array(0);
        events.push(
          entry.wire === true
            ? { id, t, type: 'wire', dir, offset, bytes, records: [] }
            : { id, t, type: 'data', dir, offset, bytes },
        );
        this.#lastReplayId = id;
      }
    };
    for (const entry of entries) {
      const hole = this.#gaps.holeBefore(entry);
      if (hole) take(hole);
      take(entry);
    }
    if (events.length > 0) this.#apply(events, unknown, holes);
  }

  async #refreshLabServers(): Promise<void> {
    const result = await this.#lab.labServers();
    if (result.ok) this.#labServers = result.value;
  }

  get lab(): LabApi {
    return this.#lab;
  }

  /** Every kept event of the session by index, oldest first (see EventLog). Reading it redraws with the store. */
  get events(): EventLog {
    void this.#version;
    return this.#log;
  }

  /** The event at `index`, or undefined when it is not kept. */
  eventAt(index: number): LabEvent | undefined {
    void this.#version;
    return this.#log.at(index);
  }

  /** Data bytes held in memory now (both directions, all connections). */
  get keptBytes(): number {
    void this.#version;
    return this.#log.keptBytes;
  }

  /** Data bytes no longer held, to stay under the bound (they are still in the journal on disk). */
  get droppedBytes(): number {
    void this.#version;
    return this.#log.droppedBytes;
  }

  get keptBytesLimit(): number {
    return this.#log.limits.keptBytes;
  }

  /** The saved session's own cap in bytes once it was reached (later bytes were not saved), else null. */
  get journalLimit(): number | null {
    void this.#version;
    return this.#journalLimit;
  }

  /** For a replay's data row that stands for bytes the saved session has not: why (see `replay`); otherwise null. */
  holeAt(index: number): Hole | null {
    void this.#version;
    return this.#holes.get(index) ?? null;
  }

  /** For the data event at `index` whose bytes were dropped from view: how many it had; otherwise 0. */
  droppedLength(index: number): number {
    void this.#version;
    return this.#log.droppedLength(index);
  }

  get connections(): readonly ConnectionView[] {
    void this.#version;
    return this.#viewList;
  }

  /** The connection as last drawn: a new object whenever something about it changed. */
  connection(id: ConnectionId | null | undefined): ConnectionView | undefined {
    void this.#version;
    return id ? this.#views[id] : undefined;
  }

  /** The log's rows: every event (`null`), or one connection's; `wire: false` leaves out TLS records on the wire. */
  rows(connectionId: ConnectionId | null, options: RowFilterOptions = {}): LogRows {
    const wire = options.wire ?? true;
    if (connectionId === null && wire) return this.#allRows;
    const key = `${wire ? 'wire' : 'plain'} ${connectionId ?? '*'}`;
    let filter = this.#filters.get(key);
    if (filter) {
      // Most recently asked for last.
      this.#filters.delete(key);
    } else {
      filter = new RowFilter(connectionId, { wire });
      for (let i = this.#log.first; i < this.#log.length; i++) {
        const event = this.#log.at(i);
        if (event && filter.accepts(event)) filter.add(i);
      }
      if (this.#log.first > 0) filter.letGoBefore(this.#log.first);
    }
    this.#filters.set(key, filter);
    if (this.#filters.size > FOLLOWED_FILTERS) this.#filters.delete(this.#filters.keys().next().value as string);
    return filter;
  }

  /**
   * Everything connection `id` received (`in`) or sent (`out`) that is still kept, as one stream, kept up to date
   * from now on (a cache: asking again gives the same stream).
   */
  stream(id: ConnectionId, dir: 'in' | 'out'): ByteStream {
    let streams = this.#streams.get(id);
    const found = streams?.[dir];
    const place = this.#streamOrder.findIndex((entry) => entry.id === id && entry.dir === dir);
    if (place !== -1) this.#streamOrder.splice(place, 1);
    this.#streamOrder.push({ id, dir });
    if (found) return found;
    const stream = new ByteStream();
    for (let i = this.#log.first; i < this.#log.length; i++) {
      const event = this.#log.at(i);
      if (event?.type !== 'data' || event.id !== id || event.dir !== dir) continue;
      stream.append(event.offset, event.bytes, i, this.#log.droppedLength(i), this.#holes.get(i) ?? null);
    }
    stream.forgetBefore(this.#log.bytesDroppedThrough);
    if (!streams) {
      streams = {};
      this.#streams.set(id, streams);
    }
    streams[dir] = stream;
    if (this.#streamOrder.length > FOLLOWED_STREAMS) {
      const oldest = this.#streamOrder.shift() as { id: ConnectionId; dir: 'in' | 'out' };
      const held = this.#streams.get(oldest.id);
      if (held) delete held[oldest.dir];
      if (held && !held.in && !held.out) this.#streams.delete(oldest.id);
    }
    return stream;
  }

  /** Why this session stopped being saved while it ran (hello says it for a session never saved at all). */
  get journalProblem(): LabError | null {
    return this.#journalProblem;
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
        this.#records.get(id) ?? this.#track(id, request.host, request.port, request.route ?? 'lab', this.#lastTime());
      // Events may have raced ahead of this reply; the request is the truth for what the learner asked.
      view.host = request.host;
      view.port = request.port;
      view.route = request.route ?? 'lab';
      if (request.tls) view.tls ??= { wireBytesIn: 0, wireBytesOut: 0 };
      this.#changedConnections.add(id);
      this.#clock.request();
      // A connect that worked answers the earlier "Could not connect" notices: they would only confuse now.
      if (this.#notices.some((notice) => notice.action === 'connect')) {
        this.#notices = this.#notices.filter((notice) => notice.action !== 'connect');
      }
    } else {
      this.#notice('connect', result.error);
    }
    return result;
  }

  /** Sends `bytes`; they are kept here until main's event for them arrives (it carries only offset and length). */
  async send(id: ConnectionId, bytes: Uint8Array): Promise<Result<unknown>> {
    // Our own copy: the caller may reuse its array, and the log must show exactly what was sent.
    const sent = bytes.slice();
    this.#sent.begin(id);
    let result: Result<SendReceipt> | undefined;
    try {
      result = await this.#lab.send(id, sent);
    } finally {
      // Answered or not, the batches waiting on this send must not wait for ever.
      this.#sent.settle(id, sent, result?.ok ? result.value : null);
      this.#drain();
    }
    return this.#noticeOnError('send', result);
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
    this.#clock.dispose();
  }

  #lastTime(): number {
    return this.#log.at(this.#log.length - 1)?.t ?? 0;
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
    this.#records.set(id, view);
    this.#order.push(id);
    this.#changedConnections.add(id);
    return view;
  }

  #receive(batch: EventBatch): void {
    this.#held.push(batch);
    this.#drain();
  }

  /** Handles the held batches in order, as far as the bytes of their sends are known. */
  #drain(): void {
    while (this.#held.length > 0) {
      const batch = this.#held[0] as EventBatch;
      if (!batch.events.every((event) => !isSent(event) || this.#sent.ready(event))) return;
      this.#held.shift();
      // Said at once, not at the next redraw: it is rare, and the learner should know before anything else.
      if (batch.journalProblem) this.#journalProblem = batch.journalProblem;
      const events: LabEvent[] = [];
      const unknown: number[] = [];
      for (const event of batch.events) {
        if (!isSent(event)) {
          events.push(event);
          continue;
        }
        const { id, t, offset, length } = event;
        const bytes = this.#sent.take(event);
        // Not a send of this page (there should be none): the row keeps its place and length, not the bytes.
        if (!bytes) unknown[events.length] = length;
        events.push({ id, t, type: 'data', dir: 'out', offset, bytes: bytes ?? new Uint8Array(0) });
      }
      this.#apply(events, unknown);
      // Credit for flow control: main may send more once this batch is handled.
      if (!this.readOnly) void this.#lab.ackEvents(batch.seq);
    }
  }

  /**
   * Handles events in order; `unknown[i]` is the length of event i when its bytes are not known here, and `holes[i]`
   * says why a replay has none for it.
   */
  #apply(events: readonly LabEvent[], unknown: readonly number[] = [], holes: readonly Hole[] = []): void {
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as LabEvent;
      const index = this.#log.length;
      this.#log.push(event, unknown[i] ?? 0);
      const hole = holes[i] ?? null;
      if (hole) this.#holes.set(index, hole);
      for (const filter of this.#filters.values()) if (filter.accepts(event)) filter.add(index);
      // Events can arrive before connect() resolves; the target is filled in from `resolving`.
      const view = this.#records.get(event.id) ?? this.#track(event.id, '', 0, 'lab', event.t);
      this.#changedConnections.add(event.id);
      switch (event.type) {
        case 'resolving':
          view.startedAt = event.t;
          view.host = event.host;
          view.port = event.port;
          view.route = event.route;
          if (event.tls) view.tls ??= { wireBytesIn: 0, wireBytesOut: 0 };
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
        case 'data': {
          const length = event.bytes.byteLength || (unknown[i] ?? 0);
          if (event.dir === 'out') view.bytesOut += length;
          else view.bytesIn += length;
          this.#streams.get(event.id)?.[event.dir]?.append(event.offset, event.bytes, index, length, hole);
          break;
        }
        case 'wire': {
          const length = event.bytes.byteLength || (unknown[i] ?? 0);
          const tls = (view.tls ??= { wireBytesIn: 0, wireBytesOut: 0 });
          if (event.dir === 'out') tls.wireBytesOut += length;
          else tls.wireBytesIn += length;
          break;
        }
        case 'tls': {
          const { id: _id, t: _t, type: _type, ...session } = event;
          view.tls = { ...(view.tls ?? { wireBytesIn: 0, wireBytesOut: 0 }), session };
          break;
        }
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
        case 'journal-full':
          this.#journalLimit ??= event.limitBytes;
          break;
        case 'resolved':
          break;
      }
    }
    if (this.#log.trim()) {
      for (const streams of this.#streams.values()) {
        streams.in?.forgetBefore(this.#log.bytesDroppedThrough);
        streams.out?.forgetBefore(this.#log.bytesDroppedThrough);
      }
      for (const filter of this.#filters.values()) filter.letGoBefore(this.#log.first);
      // In index order, as they were set: the rows let go of are at the front.
      for (const index of this.#holes.keys()) {
        if (index >= this.#log.first) break;
        this.#holes.delete(index);
      }
    }
    this.#clock.request();
  }

  /** The screen redraws: publish what changed since the last draw. */
  #draw(): void {
    if (this.#changedConnections.size > 0) {
      const views = { ...this.#views };
      for (const id of this.#changedConnections) {
        const record = this.#records.get(id);
        if (record) views[id] = record.tls ? { ...record, tls: { ...record.tls } } : { ...record };
      }
      this.#changedConnections.clear();
      this.#views = views;
      this.#viewList = this.#order.map((id) => views[id] as ConnectionView);
    }
    for (const streams of this.#streams.values()) {
      streams.in?.publish();
      streams.out?.publish();
    }
    for (const filter of this.#filters.values()) filter.publish();
    this.#allRows.publish();
    this.#version += 1;
  }
}

function isSent(event: DeliveredEvent): event is Extract<DeliveredEvent, { dir: 'out' }> {
  return event.type === 'data' && event.dir === 'out';
}
