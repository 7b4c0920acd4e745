import { describe, expect, it } from 'vitest';
import { OLDER_ROWS } from '../../../src/renderer/src/features/session/rowFilter.svelte';
import { LabSessionStore } from '../../../src/renderer/src/features/session/labSession.svelte';
import type { Clock } from '../../../src/renderer/src/features/session/redrawClock';
import type { DeliveredEvent, EventBatch, LabApi, LabEvent, SendReceipt } from '../../../src/shared/contract';
import { fail, ok, type Result } from '../../../src/shared/errors';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A clock the test moves by hand. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; run: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((timer) => timer !== handle);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((timer) => timer.at <= now);
    timers = timers.filter((timer) => timer.at > now);
    for (const timer of due) timer.run();
  };
  return { clock, advance };
}

/** A stand-in for main: the test delivers batches and answers sends when it likes. */
function fakeLab() {
  const listeners = new Set<(batch: EventBatch) => void>();
  const acks: number[] = [];
  const sends: { id: string; bytes: Uint8Array; answer: (result: Result<SendReceipt>) => void }[] = [];
  let seq = 0;
  const commands: Partial<LabApi> = {
    labServers: async () => ok([]),
    ackEvents: async (acked) => {
      acks.push(acked);
      return ok(null);
    },
    send: (id, bytes) => new Promise((answer) => sends.push({ id, bytes, answer })),
    onEvents: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const lab = new Proxy(commands, {
    get: (target, name: string) => target[name as keyof LabApi] ?? (async () => ok(null)),
  }) as LabApi;
  return {
    lab,
    acks,
    sends,
    deliver(events: DeliveredEvent[], more: Partial<EventBatch> = {}): number {
      seq += 1;
      for (const listener of listeners) listener({ ...more, seq, events });
      return seq;
    },
  };
}

/** Lets the store's awaits run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const opened = (id: string): DeliveredEvent[] => [
  { id, t: 0, type: 'resolving', host: '127.0.0.1', port: 7, route: 'lab' },
  { id, t: 1, type: 'connected', local: endpoint(50_000), remote: endpoint(7), route: 'lab', elapsedMs: 1 },
];
function endpoint(port: number) {
  return { address: '127.0.0.1', port, family: 'IPv4' as const };
}
const sent = (id: string, offset: number, length: number): DeliveredEvent => ({
  id,
  t: 2,
  type: 'data',
  dir: 'out',
  offset,
  length,
});
const received = (id: string, offset: number, body: string | Uint8Array): DeliveredEvent => ({
  id,
  t: 3,
  type: 'data',
  dir: 'in',
  offset,
  bytes: typeof body === 'string' ? ascii(body) : body,
});

function dataOf(store: LabSessionStore, dir: 'in' | 'out'): string[] {
  const out: string[] = [];
  for (let i = store.events.first; i < store.events.length; i++) {
    const event = store.events.at(i) as LabEvent;
    if (event.type === 'data' && event.dir === dir) out.push(`${event.offset}:${text(event.bytes)}`);
  }
  return out;
}

describe('LabSessionStore: sends come back as offset and length', () => {
  it('puts the bytes it sent back into the event, whether the answer or the event comes first', async () => {
    const main = fakeLab();
    const store = new LabSessionStore(main.lab);
    main.deliver(opened('c'));
    // The answer first (the usual case) ...
    const first = store.send('c', ascii('GET / HTTP/1.0\r\n'));
    main.sends[0]?.answer(ok({ offset: 0, length: 16 }));
    await first;
    main.deliver([sent('c', 0, 16)]);
    // ... then the event first (a full batch goes out before the answer).
    const second = store.send('c', ascii('\r\n'));
    const held = main.deliver([sent('c', 16, 2), received('c', 0, 'HTTP/1.0 200 OK\r\n')]);
    expect(main.acks).not.toContain(held);
    expect(dataOf(store, 'in')).toEqual([]);
    main.sends[1]?.answer(ok({ offset: 16, length: 2 }));
    await second;
    expect(dataOf(store, 'out')).toEqual(['0:GET / HTTP/1.0\r\n', '16:\r\n']);
    expect(dataOf(store, 'in')).toEqual(['0:HTTP/1.0 200 OK\r\n']);
    expect(main.acks).toContain(held);
    expect(store.stream('c', 'out').byteCount).toBe(18);
  });

  it('matches overlapping sends by the offset each answer names, and keeps the order on the wire', async () => {
    const main = fakeLab();
    const { clock, advance } = fakeClock();
    const store = new LabSessionStore(main.lab, { clock });
    main.deliver(opened('c'));
    const a = store.send('c', ascii('aaa'));
    const b = store.send('c', ascii('bbbbb'));
    const c = store.send('c', ascii('cc'));
    // The second send is refused (the peer is not reading); the first and third went out, in that order.
    const batch = main.deliver([sent('c', 0, 3), sent('c', 3, 2)]);
    main.sends[2]?.answer(ok({ offset: 3, length: 2 }));
    main.sends[1]?.answer(fail('NOT_WRITABLE', 'The other side is not reading.', 'Wait.'));
    await settle();
    // Still waiting for the first answer: nothing is guessed.
    expect(dataOf(store, 'out')).toEqual([]);
    main.sends[0]?.answer(ok({ offset: 0, length: 3 }));
    await Promise.all([a, b, c]);
    expect(dataOf(store, 'out')).toEqual(['0:aaa', '3:cc']);
    expect(main.acks.at(-1)).toBe(batch);
    expect(store.notices.map((notice) => notice.action)).toEqual(['send']);
    advance(100);
    expect(store.connection('c')?.bytesOut).toBe(5);
  });

  it('holds later batches behind one that waits, and acknowledges them in order', async () => {
    const main = fakeLab();
    const store = new LabSessionStore(main.lab);
    const opening = main.deliver(opened('c'));
    const pending = store.send('c', ascii('ping'));
    const waiting = main.deliver([sent('c', 0, 4)]);
    const after = main.deliver([received('c', 0, 'ping')]);
    expect(main.acks).toEqual([opening]);
    main.sends[0]?.answer(ok({ offset: 0, length: 4 }));
    await pending;
    expect(main.acks).toEqual([opening, waiting, after]);
    expect(store.events.length).toBe(4);
  });

  it('never waits for ever on a send whose transport failed without an answer', async () => {
    const main = fakeLab();
    const store = new LabSessionStore(main.lab);
    main.deliver(opened('c'));
    const pending = store.send('c', ascii('lost'));
    const held = main.deliver([sent('c', 0, 4), received('c', 0, 'after')]);
    expect(main.acks).not.toContain(held);
    main.sends[0]?.answer(Promise.reject(new Error('the link broke')) as unknown as Result<SendReceipt>);
    await expect(pending).rejects.toThrow('the link broke');
    expect(main.acks).toContain(held);
    expect(store.droppedLength(2)).toBe(4);
    expect(dataOf(store, 'in')).toEqual(['0:after']);
  });

  it('keeps the place and length of a send it has no bytes for, and waits for nothing', () => {
    const main = fakeLab();
    const store = new LabSessionStore(main.lab);
    main.deliver([...opened('c'), sent('c', 0, 9)]);
    const event = store.events.at(2);
    expect(event).toMatchObject({ type: 'data', dir: 'out', offset: 0 });
    expect(store.droppedLength(2)).toBe(9);
    expect(store.connection('c')?.bytesOut).toBe(9);
    expect(store.stream('c', 'out').read(0, 9).missing).toBe(true);
  });
});

describe('LabSessionStore: handles every batch, draws at a steady rate', () => {
  it('acknowledges each batch at once but shows new counts only when the screen redraws', () => {
    const main = fakeLab();
    const { clock, advance } = fakeClock();
    const store = new LabSessionStore(main.lab, { clock, redrawIntervalMs: 100 });
    main.deliver(opened('c'));
    const drawn = store.connection('c');
    expect(drawn?.state).toBe('open');
    const stream = store.stream('c', 'in');
    const rows = store.rows(null);
    let seq = 0;
    for (let i = 0; i < 40; i++) {
      seq = main.deliver([received('c', i * 10, '0123456789')]);
      advance(2);
    }
    // Forty batches handled and acknowledged ...
    expect(main.acks.at(-1)).toBe(seq);
    expect(store.events.length).toBe(42);
    // ... but the screen still shows the last draw: the same objects, the old counts.
    expect(store.connection('c')).toBe(drawn);
    expect(store.connection('c')?.bytesIn).toBe(0);
    advance(100);
    expect(store.connection('c')).not.toBe(drawn);
    expect(store.connection('c')?.bytesIn).toBe(400);
    expect(stream.byteCount).toBe(400);
    expect(rows.count).toBe(42);
    store.dispose();
  });
});

describe('LabSessionStore: a journal that stops mid-session', () => {
  it('says why at once, before the next redraw, and keeps saying it after later batches', () => {
    const main = fakeLab();
    const { clock } = fakeClock();
    const store = new LabSessionStore(main.lab, { clock });
    main.deliver(opened('c'));
    expect(store.journalProblem).toBeNull();
    const problem = { code: 'STORAGE' as const, message: 'The disk is full.', hint: 'Make room on it.' };
    const told = main.deliver([], { journalProblem: problem });
    expect(store.journalProblem).toEqual(problem);
    expect(main.acks.at(-1)).toBe(told);
    main.deliver([received('c', 0, 'still here')]);
    expect(store.journalProblem).toEqual(problem);
  });
});

describe('LabSessionStore: bounded memory', () => {
  it('keeps at most its bytes and rows however much streams, and says older rows were let go', () => {
    const main = fakeLab();
    const { clock, advance } = fakeClock();
    const store = new LabSessionStore(main.lab, { keptBytes: 10_000, keptRows: 320, clock });
    main.deliver(opened('c'));
    const stream = store.stream('c', 'in');
    const filter = store.rows('c');
    const chunk = new Uint8Array(100).fill(0x61);
    for (let i = 0; i < 5000; i++) main.deliver([received('c', i * 100, chunk)]);
    advance(100);
    expect(store.keptBytes).toBeLessThanOrEqual(10_000);
    expect(store.events.length - store.events.first).toBeLessThanOrEqual(320);
    expect(store.droppedBytes + store.keptBytes).toBe(500_000);
    const rows = store.rows(null);
    expect(rows.eventAt(0)).toBe(OLDER_ROWS);
    expect(rows.eventAt(rows.count - 1)).toBe(5001);
    expect(filter.eventAt(0)).toBe(OLDER_ROWS);
    expect(stream.letGo).toBe(true);
    expect(stream.byteCount).toBeLessThanOrEqual(10_000);
    expect(stream.end).toBe(500_000);
    expect(store.connection('c')?.bytesIn).toBe(500_000);
  });
});

describe('LabSessionStore.forReplay', () => {
  it('replays a saved session’s entries, sends with their bytes, and answers every command READ_ONLY', async () => {
    const store = LabSessionStore.forReplay();
    store.replay([
      { kind: 'start', t: 0, sessionId: 's', startedAt: 0, appVersion: '0', transport: 'web', platform: 'linux' },
      ...opened('c').map((event) => ({ kind: 'event' as const, t: event.t, event: event as LabEvent })),
      { kind: 'event', t: 2, event: { id: 'c', t: 2, type: 'data', dir: 'out', offset: 0, bytes: ascii('hi') } },
      { kind: 'journal-full', t: 3, limitBytes: 10 },
    ]);
    expect(dataOf(store, 'out')).toEqual(['0:hi']);
    expect(store.events.at(3)).toMatchObject({ type: 'journal-full', id: 'c' });
    // Past its cap the saved session holds only the first bytes: the screen's words say so.
    expect(store.journalLimit).toBe(10);
    expect(store.connection('c')?.bytesOut).toBe(2);
    expect(await store.send('c', ascii('x'))).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
  });

  it('gives each hole of a saved session a row where it arrived, with its length and why its bytes are not there', () => {
    const store = LabSessionStore.forReplay();
    store.replay([
      { kind: 'start', t: 0, sessionId: 's', startedAt: 0, appVersion: '0', transport: 'web', platform: 'linux' },
      ...opened('c').map((event) => ({ kind: 'event' as const, t: event.t, event: event as LabEvent })),
      { kind: 'event', t: 2, event: { id: 'c', t: 2, type: 'data', dir: 'in', offset: 0, bytes: ascii('abc') } },
      { kind: 'unsaved', t: 3, id: 'c', dir: 'in', offset: 3, length: 4, damaged: true },
      { kind: 'journal-full', t: 4, limitBytes: 10 },
      { kind: 'unsaved', t: 5, id: 'c', dir: 'in', offset: 7, length: 1000 },
      // TLS records on the wire that were not saved: a wire row of their own, which the plain streams do not count.
      { kind: 'unsaved', t: 6, id: 'c', dir: 'in', offset: 0, length: 50, wire: true },
    ]);
    const first = opened('c').length;
    expect(store.events.length).toBe(first + 5);
    expect(store.events.at(first + 4)).toMatchObject({ type: 'wire', dir: 'in', offset: 0, t: 6, records: [] });
    expect([store.holeAt(first + 4), store.droppedLength(first + 4)]).toEqual(['not-saved', 50]);
    expect(store.connection('c')?.tls).toMatchObject({ wireBytesIn: 50, wireBytesOut: 0 });
    expect(store.events.at(first + 1)).toMatchObject({ type: 'data', dir: 'in', offset: 3, t: 3 });
    expect([store.holeAt(first + 1), store.droppedLength(first + 1)]).toEqual(['lost', 4]);
    expect([store.holeAt(first + 3), store.droppedLength(first + 3)]).toEqual(['not-saved', 1000]);
    expect(store.holeAt(first)).toBeNull();
    // The connection counts them, as it did live; the stream keeps their places, and says which is which.
    expect(store.connection('c')?.bytesIn).toBe(1007);
    const stream = store.stream('c', 'in');
    expect(stream.read(0, 3).bytes).toEqual(ascii('abc'));
    expect(stream.read(3, 7)).toMatchObject({ lost: true, unsaved: false });
    expect(stream.read(7, 1007)).toMatchObject({ lost: true, unsaved: true });
  });
});
