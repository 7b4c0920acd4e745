/**
 * GuideState, the guided lab's rune class, against a fake LabApi: step navigation, the prediction, the check of the
 * step on screen and when a pass is saved.
 */
import { describe, expect, it } from 'vitest';
import { GuideState } from '../../../../src/renderer/src/features/guide/guideState.svelte';
import { STEP_IDS } from '../../../../src/renderer/src/features/guide/steps';
import { LabSessionStore } from '../../../../src/renderer/src/features/session/labSession.svelte';
import type { DeliveredEvent } from '../../../../src/shared/contract';
import { ok } from '../../../../src/shared/errors';
import { FakeLab, pending } from '../fakeLab';

/** Lets the save chain the progress started run to its end. */
const settle = async (): Promise<void> => {
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
};

const endpoint = (port: number) => ({ address: '127.0.0.1', port, family: 'IPv4' as const });

/** A connection to the echo server on port 7, from the given local port. */
const opened = (id: string, localPort: number): DeliveredEvent[] => [
  { id, t: 0, type: 'resolving', host: '127.0.0.1', port: 7, route: 'lab' },
  { id, t: 1, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
  { id, t: 2, type: 'connecting', address: '127.0.0.1', port: 7, route: 'lab' },
  { id, t: 3, type: 'connected', local: endpoint(localPort), remote: endpoint(7), route: 'lab', elapsedMs: 1 },
];

async function loadedGuide(lab = new FakeLab()): Promise<{ lab: FakeLab; guide: GuideState; store: LabSessionStore }> {
  const store = new LabSessionStore(lab);
  const guide = new GuideState(store);
  await guide.progress.load();
  return { lab, guide, store };
}

describe('GuideState with a fake LabApi', () => {
  it('moves between steps and stops at either end, saving the step on screen', async () => {
    const { lab, guide } = await loadedGuide();
    expect(guide.step.id).toBe(STEP_IDS[0]);
    expect(guide.move(-1)).toBe(false);
    expect(guide.move(1)).toBe(true);
    expect([guide.step.id, guide.stepIndex]).toEqual([STEP_IDS[1], 1]);
    guide.goTo('port-tour');
    expect(guide.stepIndex).toBe(guide.stepCount - 1);
    expect(guide.move(1)).toBe(false);
    await settle();
    expect(lab.saved.at(-1)?.current).toBe('port-tour');
  });

  it('keeps a prediction trimmed, counted from the events so far, and ignores a blank one', async () => {
    const { lab, guide } = await loadedGuide();
    guide.goTo('headers-body');
    expect(guide.step.prediction).toBeDefined();
    guide.predict('   ');
    expect(guide.savedPrediction).toBeUndefined();
    lab.deliver(opened('a', 50_000));
    guide.predict('  167 bytes ');
    expect(guide.savedPrediction).toEqual({ text: '167 bytes', fromEvent: 4 });
    await settle();
    expect(lab.saved.at(-1)?.predictions).toEqual({ 'headers-body': '167 bytes' });
  });

  it('checks the step on screen from the events, and saves its pass only when asked', async () => {
    const { lab, guide } = await loadedGuide();
    guide.goTo('your-port');
    expect(guide.current?.parts.map((part) => part.done)).toEqual([false, false]);
    lab.deliver(opened('a', 50_000));
    expect(guide.current?.parts.map((part) => part.done)).toEqual([true, false]);
    lab.deliver(opened('b', 50_001));
    expect(guide.current?.passed).toBe(true);
    expect(guide.current?.detail).toContain('port 50000 and port 50001');
    expect(guide.currentPassed).toBe(true);
    expect(guide.passedCount).toBe(0);
    guide.savePasses();
    expect(guide.passedCount).toBe(1);
    await settle();
    expect(lab.saved.at(-1)?.completed).toEqual(['your-port']);
  });

  it('saves no pass before the saved progress is read, so it never overwrites it', async () => {
    const lab = new FakeLab();
    const answer = pending<Awaited<ReturnType<FakeLab['getProgress']>>>();
    lab.progress = answer;
    const store = new LabSessionStore(lab);
    const guide = new GuideState(store);
    const loading = guide.progress.load();
    lab.deliver(opened('a', 50_000));
    lab.deliver(opened('b', 50_001));
    guide.goTo('your-port');
    guide.savePasses();
    expect(lab.callsOf('saveProgress')).toEqual([]);
    answer.answer(ok({ completed: ['reliable-pipe'], current: null, predictions: {} }));
    await loading;
    expect(guide.passed('reliable-pipe')).toBe(true);
    expect(guide.passedCount).toBe(1);
  });
});
