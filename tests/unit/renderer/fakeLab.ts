/**
 * A stand-in for main that implements the whole LabApi contract: the test decides what each command answers and
 * when, delivers event batches, and reads back every call in the order it was made.
 */
import type { EventBatch, LabApi, LabCommands, LabProgress, SavedProgress } from '../../../src/shared/contract';
import { fail, ok, type Result } from '../../../src/shared/errors';

export interface Call {
  command: keyof LabCommands;
  args: unknown[];
}

/** A promise and the hands that settle it: a command whose answer the test gives later. */
export interface Pending<T> {
  promise: Promise<T>;
  answer(value: T): void;
}

export function pending<T>(): Pending<T> {
  let answer!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (answer = resolve));
  return { promise, answer };
}

const notHere = (what: string): Result<never> =>
  fail('INTERNAL', `${what} is not part of this test.`, 'Give it an answer.');

export class FakeLab implements LabApi {
  readonly calls: Call[] = [];
  readonly #listeners = new Set<(batch: EventBatch) => void>();
  #seq = 0;
  /** What getProgress answers; a Pending holds the answer until the test gives it. */
  progress: Result<SavedProgress> | Pending<Result<SavedProgress>> = ok({
    completed: [],
    current: null,
    predictions: {},
  });
  /** Each saveProgress call waits on the next of these when there is one, else answers ok at once. */
  readonly saveAnswers: Pending<Result<null>>[] = [];
  /** Progress in the order main finished saving it: what would be on disk, last one last. */
  readonly saved: LabProgress[] = [];
  connectAnswer: Result<{ id: string }> = ok({ id: 'c1' });
  failing: Partial<Record<keyof LabCommands, Result<never>>> = {};

  #record<T>(command: keyof LabCommands, args: unknown[], answer: () => Result<T>): Promise<Result<T>> {
    this.calls.push({ command, args });
    return Promise.resolve(this.failing[command] ?? answer());
  }

  /** Delivers events as main would, one batch with the next sequence number; returns that number. */
  deliver(events: EventBatch['events']): number {
    this.#seq += 1;
    for (const listener of this.#listeners) listener({ seq: this.#seq, events });
    return this.#seq;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  callsOf(command: keyof LabCommands): unknown[][] {
    return this.calls.filter((call) => call.command === command).map((call) => call.args);
  }

  onEvents(listener: (batch: EventBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  hello: LabApi['hello'] = () => this.#record('hello', [], () => notHere('hello'));
  connect: LabApi['connect'] = (request) => this.#record('connect', [request], () => this.connectAnswer);
  send: LabApi['send'] = (id, bytes) =>
    this.#record('send', [id, bytes], () => ok({ offset: 0, length: bytes.byteLength }));
  end: LabApi['end'] = (id) => this.#record('end', [id], () => ok(null));
  close: LabApi['close'] = (id) => this.#record('close', [id], () => ok(null));
  abort: LabApi['abort'] = (id) => this.#record('abort', [id], () => ok(null));
  listConnections: LabApi['listConnections'] = () => this.#record('listConnections', [], () => ok([]));
  ackEvents: LabApi['ackEvents'] = (seq) => this.#record('ackEvents', [seq], () => ok(null));
  labServers: LabApi['labServers'] = () => this.#record('labServers', [], () => ok([]));
  setSlowMode: LabApi['setSlowMode'] = (slow) => this.#record('setSlowMode', [slow], () => ok(null));
  getProgress: LabApi['getProgress'] = async () => {
    this.calls.push({ command: 'getProgress', args: [] });
    return 'promise' in this.progress ? this.progress.promise : this.progress;
  };
  saveProgress: LabApi['saveProgress'] = async (progress) => {
    this.calls.push({ command: 'saveProgress', args: [progress] });
    const answer = this.saveAnswers.shift();
    const result = answer ? await answer.promise : ok(null);
    if (result.ok) this.saved.push(progress);
    return result;
  };
  listSessions: LabApi['listSessions'] = () => this.#record('listSessions', [], () => ok([]));
  recoverableSessions: LabApi['recoverableSessions'] = () => this.#record('recoverableSessions', [], () => ok([]));
  putAwaySession: LabApi['putAwaySession'] = (id) => this.#record('putAwaySession', [id], () => ok(null));
  deleteSession: LabApi['deleteSession'] = (id) => this.#record('deleteSession', [id], () => ok(null));
  readSession: LabApi['readSession'] = (id, cursor) =>
    this.#record('readSession', [id, cursor], () => notHere('readSession'));
  saveSession: LabApi['saveSession'] = (id, format) =>
    this.#record('saveSession', [id, format], () => notHere('saveSession'));
  openSessionFile: LabApi['openSessionFile'] = () =>
    this.#record('openSessionFile', [], () => notHere('openSessionFile'));
  beginImport: LabApi['beginImport'] = (fileName, size) =>
    this.#record('beginImport', [fileName, size], () => notHere('beginImport'));
  importChunk: LabApi['importChunk'] = (importId, bytes) =>
    this.#record('importChunk', [importId, bytes], () => notHere('importChunk'));
  finishImport: LabApi['finishImport'] = (importId) =>
    this.#record('finishImport', [importId], () => notHere('finishImport'));
}
