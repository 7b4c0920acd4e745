/**
 * The renderer's rune classes, compiled by the Svelte plugin and run against a fake LabApi: what only the
 * end-to-end suite covered before (event ordering, acknowledgements, notices, replay, save ordering).
 */
import { describe, expect, it } from 'vitest';
import { GuideProgress } from '../../../src/renderer/src/features/guide/guideProgress.svelte';
import { STEP_IDS } from '../../../src/renderer/src/features/guide/steps';
import { LabSessionStore } from '../../../src/renderer/src/features/session/labSession.svelte';
import type { Clock } from '../../../src/renderer/src/features/session/redrawClock';
import type { DeliveredEvent, LabEvent } from '../../../src/shared/contract';
import { fail, ok } from '../../../src/shared/errors';
import type { SessionEntry } from '../../../src/shared/transcript';
import { FakeLab, pending } from './fakeLab';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const endpoint = (port: number) => ({ address: '127.0.0.1', port, family: 'IPv4' as const });

/** A clock that never fires by itself: the test draws with `draw()`. */
function handClock() {
  let due: (() => void) | undefined;
  const clock: Clock = {
    now: () => 0,
    setTimeout: (run) => {
      due = run;
      return run;
    },
    clearTimeout: () => (due = undefined),
  };
  return {
    clock,
    draw: () => {
      const run = due;
      due = undefined;
      run?.();
    },
  };
}

/** Lets the promise chains the stores started run to their end. */
const settle = async (): Promise<void> => {
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
};

const lifecycle = (id: string, port = 7): DeliveredEvent[] => [
  { id, t: 0, type: 'resolving', host: '127.0.0.1', port, route: 'lab' },
  { id, t: 1, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
  { id, t: 2, type: 'connecting', address: '127.0.0.1', port, route: 'lab' },
  { id, t: 3, type: 'connected', local: endpoint(50_000), remote: endpoint(port), route: 'lab', elapsedMs: 1 },
];

describe('LabSessionStore with a fake LabApi', () => {
  it('applies events in the order main sent them, across batches, and acknowledges each batch in order', () => {
    const lab = new FakeLab();
    const { clock, draw } = handClock();
    const store = new LabSessionStore(lab, { clock });
    const seqs = [
      lab.deliver(lifecycle('a').slice(0, 2)),
      lab.deliver(lifecycle('a').slice(2)),
      lab.deliver([{ id: 'a', t: 4, type: 'data', dir: 'in', offset: 0, bytes: ascii('hi\n') }]),
      lab.deliver([
        { id: 'a', t: 5, type: 'peer-ended' },
        { id: 'a', t: 6, type: 'closed', by: 'peer' },
      ]),
    ];
    const types: string[] = [];
    for (let i = store.events.first; i < store.events.length; i++) types.push((store.events.at(i) as LabEvent).type);
    expect(types).toEqual(['resolving', 'resolved', 'connecting', 'connected', 'data', 'peer-ended', 'closed']);
    expect(lab.callsOf('ackEvents')).toEqual(seqs.map((seq) => [seq]));
    draw();
    expect(store.connection('a')).toMatchObject({
      state: 'closed',
      closedBy: 'peer',
      peerEnded: true,
      bytesIn: 3,
      remote: endpoint(7),
    });
  });

  it('shows a connection whose events came before connect() answered, with the target the learner asked for', async () => {
    const lab = new FakeLab();
    const { clock, draw } = handClock();
    const store = new LabSessionStore(lab, { clock });
    lab.connectAnswer = ok({ id: 'early' });
    lab.deliver(lifecycle('early', 8080));
    await store.connect({ host: 'data.pr4e.org', port: 80, route: 'lab' });
    draw();
    expect(store.connections).toHaveLength(1);
    expect(store.connection('early')).toMatchObject({ number: 1, host: 'data.pr4e.org', port: 80, state: 'open' });
  });

  it('says each refused command as a notice, keeps the latest 20, and a working connect clears the connect ones', async () => {
    const lab = new FakeLab();
    const store = new LabSessionStore(lab);
    lab.connectAnswer = fail('BAD_PORT', 'A port is a whole number from 1 to 65535, like 80.', 'Try 80.');
    await store.connect({ host: 'data.pr4e.org', port: 0 });
    lab.failing.end = fail('NOT_FOUND', 'There is no such connection.', 'Pick one from the list.');
    await store.end('gone');
    expect(store.notices.map((notice) => [notice.action, notice.error.code])).toEqual([
      ['connect', 'BAD_PORT'],
      ['half-close', 'NOT_FOUND'],
    ]);
    lab.connectAnswer = ok({ id: 'c1' });
    await store.connect({ host: 'data.pr4e.org', port: 80 });
    expect(store.notices.map((notice) => notice.action)).toEqual(['half-close']);
    await store.close('fine');
    expect(store.notices).toHaveLength(1);
    lab.failing.close = fail('NOT_FOUND', 'There is no such connection.', 'Pick one from the list.');
    for (let i = 0; i < 25; i++) await store.close(`gone-${i}`);
    expect(store.notices).toHaveLength(20);
    expect(store.notices.every((notice) => notice.action === 'close')).toBe(true);
    store.dismissNotices();
    expect(store.notices).toEqual([]);
  });

  it('stops listening when disposed: later batches are neither shown nor acknowledged', () => {
    const lab = new FakeLab();
    const store = new LabSessionStore(lab);
    expect(lab.listenerCount).toBe(1);
    store.dispose();
    expect(lab.listenerCount).toBe(0);
    lab.deliver(lifecycle('late'));
    expect(store.events.length).toBe(0);
    expect(lab.callsOf('ackEvents')).toEqual([]);
  });

  it('replays saved entries without main: no acknowledgements, every command READ_ONLY, journal-full on the last connection', async () => {
    const store = LabSessionStore.forReplay();
    const events: SessionEntry[] = [
      ...lifecycle('saved').map((event) => ({ kind: 'event' as const, t: event.t, event: event as LabEvent })),
      { kind: 'journal-full', t: 9, limitBytes: 1024 },
    ];
    store.replay(events.slice(0, 2));
    store.replay(events.slice(2));
    expect(store.readOnly).toBe(true);
    expect(store.events.length).toBe(5);
    expect(store.events.at(4)).toMatchObject({ type: 'journal-full', id: 'saved', limitBytes: 1024 });
    expect(store.journalLimit).toBe(1024);
    const refused = await store.send('saved', ascii('x'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect(store.notices.map((notice) => notice.error.code)).toEqual(['READ_ONLY']);
    // A live store ignores replay pages: its events come from main only.
    const live = new LabSessionStore(new FakeLab());
    live.replay(events);
    expect(live.events.length).toBe(0);
  });

  it('reads the slow mode from the lab servers again after setting it', async () => {
    const lab = new FakeLab();
    const store = new LabSessionStore(lab);
    await settle();
    const slow = { bytesPerSecond: 2000, writeSize: 100 };
    lab.labServers = async () => {
      lab.calls.push({ command: 'labServers', args: [] });
      return ok([{ kind: 'http', name: 'Lab HTTP server', host: '127.0.0.1', port: 1, mirrors: [], slowMode: slow }]);
    };
    await store.setSlowMode(slow);
    expect(lab.calls.map((call) => call.command)).toEqual(['labServers', 'setSlowMode', 'labServers']);
    expect(store.slowMode).toEqual(slow);
  });
});

describe('GuideProgress with a fake LabApi', () => {
  it('saves nothing before the saved progress is read, so it never overwrites it with an empty one', async () => {
    const lab = new FakeLab();
    const answer = pending<Awaited<ReturnType<FakeLab['getProgress']>>>();
    lab.progress = answer;
    const progress = new GuideProgress(lab);
    const loading = progress.load();
    progress.markPassed(STEP_IDS[0]);
    expect(lab.callsOf('saveProgress')).toEqual([]);
    answer.answer(ok({ completed: [STEP_IDS[1]], current: STEP_IDS[1], predictions: { [STEP_IDS[2]]: '167' } }));
    await loading;
    expect(progress.state).toBe('ready');
    expect(progress.completed).toEqual([STEP_IDS[1]]);
    expect(progress.current).toBe(STEP_IDS[1]);
    expect(progress.predictions[STEP_IDS[2]]).toEqual({ text: '167', fromEvent: 0 });
    expect(lab.callsOf('saveProgress')).toEqual([]);
  });

  it('lands saves in the order they were asked for, even when main answers the first one last', async () => {
    const lab = new FakeLab();
    const progress = new GuideProgress(lab);
    await progress.load();
    const first = pending<Awaited<ReturnType<FakeLab['saveProgress']>>>();
    lab.saveAnswers.push(first);
    progress.markPassed(STEP_IDS[0]);
    progress.goTo(STEP_IDS[1], 10);
    progress.setLearnerName('  Ada \n Lovelace  ');
    await settle();
    // The second save has not even been asked for while the first is still out.
    expect(lab.callsOf('saveProgress')).toHaveLength(1);
    first.answer(ok(null));
    await progress.settled();
    expect(lab.saved.map((saved) => [saved.completed, saved.current, saved.learnerName])).toEqual([
      [[STEP_IDS[0]], STEP_IDS[0], undefined],
      [[STEP_IDS[0]], STEP_IDS[1], undefined],
      [[STEP_IDS[0]], STEP_IDS[1], 'Ada Lovelace'],
    ]);
    expect(progress.visits(STEP_IDS[0])).toEqual([{ from: 0, to: 10 }]);
    expect(progress.visits(STEP_IDS[1])).toEqual([{ from: 10, to: Infinity }]);
  });

  it('says in words when a save fails, and clears it when the next one works', async () => {
    const lab = new FakeLab();
    const progress = new GuideProgress(lab);
    await progress.load();
    const refused = pending<Awaited<ReturnType<FakeLab['saveProgress']>>>();
    lab.saveAnswers.push(refused);
    progress.markPassed(STEP_IDS[0]);
    refused.answer(fail('INTERNAL', 'The disk is full.', 'Free some space.'));
    await progress.settled();
    expect(progress.problem).toBe(
      'Your progress could not be saved: The disk is full. It is kept on screen until you close the lab.',
    );
    progress.markPassed(STEP_IDS[1]);
    await progress.settled();
    expect(progress.problem).toBeNull();
    expect(lab.saved.at(-1)?.completed).toEqual([STEP_IDS[0], STEP_IDS[1]]);
  });

  it('keeps steps in the guide’s order, a passed step stays passed, and restart keeps only the name', async () => {
    const lab = new FakeLab();
    const progress = new GuideProgress(lab);
    await progress.load();
    progress.setLearnerName('Grace');
    progress.markPassed(STEP_IDS[2]);
    progress.markPassed(STEP_IDS[0]);
    progress.markPassed(STEP_IDS[2]);
    expect(progress.completed).toEqual([STEP_IDS[0], STEP_IDS[2]]);
    progress.predict(STEP_IDS[5], 'x'.repeat(3000), 4);
    expect(progress.predictions[STEP_IDS[5]]?.text).toHaveLength(2000);
    progress.restart(42);
    await progress.settled();
    expect(lab.saved.at(-1)).toEqual({ completed: [], current: STEP_IDS[0], predictions: {}, learnerName: 'Grace' });
    expect(progress.visits(STEP_IDS[0])).toEqual([{ from: 42, to: Infinity }]);
  });

  it('says why loading failed and saves nothing after it', async () => {
    const lab = new FakeLab();
    lab.progress = fail('INTERNAL', 'The progress file could not be read.', 'Check the data folder.');
    const progress = new GuideProgress(lab);
    await progress.load();
    expect(progress.state).toBe('failed');
    expect(progress.problem).toBe(
      'Your progress could not be loaded: The progress file could not be read. Check the data folder.',
    );
    progress.markPassed(STEP_IDS[0]);
    await progress.settled();
    expect(lab.callsOf('saveProgress')).toEqual([]);
  });
});
