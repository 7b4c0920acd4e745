import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/contract';
import { TimelineModel, type LengthOf } from '../../../src/renderer/src/features/timeline/timelineModel';

const lengthOf: LengthOf = (_index, event) => event.bytes.byteLength;
const bytes = (text: string) => new TextEncoder().encode(text);

/** The socket1.py exchange as the hub reports it. */
function socket1(id = 'c1'): LabEvent[] {
  return [
    { id, t: 100, type: 'resolving', host: 'data.pr4e.org', port: 80, route: 'lab' },
    { id, t: 100.2, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
    { id, t: 100.3, type: 'connecting', address: '127.0.0.1', port: 8080, route: 'lab' },
    {
      id,
      t: 101.5,
      type: 'connected',
      local: { address: '127.0.0.1', port: 50000, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 8080, family: 'IPv4' },
      route: 'lab',
      elapsedMs: 1.2,
    },
    {
      id,
      t: 110,
      type: 'data',
      dir: 'out',
      offset: 0,
      bytes: bytes('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'),
    },
    { id, t: 112, type: 'data', dir: 'in', offset: 0, bytes: new Uint8Array(535) },
    { id, t: 112.1, type: 'peer-ended' },
    { id, t: 130, type: 'local-ended' },
    { id, t: 130.2, type: 'closed', by: 'local' },
  ];
}

describe('the connection timeline', () => {
  it("draws socket1.py's exchange in order: connect, the handshake underneath, one send, the arrival, FIN, close", () => {
    const model = new TimelineModel('c1');
    model.update(socket1(), lengthOf);
    expect(model.steps.map((step) => [step.kind, step.from, step.to, step.underneath])).toEqual([
      ['call', 'you', null, false],
      ['syn', 'you', 'peer', true],
      ['syn-ack', 'peer', 'you', true],
      ['ack', 'you', 'peer', true],
      ['send', 'you', 'peer', false],
      ['arrival', 'peer', 'you', false],
      ['fin', 'peer', 'you', false],
      ['fin', 'you', 'peer', false],
      ['close', 'you', null, false],
    ]);
    expect(model.steps[4]?.label).toBe('send 47 bytes');
    expect(model.steps[5]?.label).toBe('535 bytes arrive');
    expect(model.steps[0]?.label).toBe("connect(('data.pr4e.org', 80))");
    // Time counts from the connection's first event, and runs down the diagram.
    expect(model.steps[0]?.t).toBe(0);
    const times = model.steps.map((step) => step.t);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
  });

  it('links each step to its byte-log row, and each row to its step', () => {
    const events = [...socket1('other').slice(0, 2), ...socket1('c1')];
    const model = new TimelineModel('c1');
    model.update(events, lengthOf);
    const send = model.steps.findIndex((step) => step.kind === 'send');
    expect(model.steps[send]?.eventIndex).toBe(6);
    expect(model.stepOf(6)).toBe(send);
    expect(model.exactStepOf(6)).toBe(send);
    // The SYN/ACK TCP sent unseen has no row of its own: a click on it selects the SYN's row before it.
    const synAck = model.steps.findIndex((step) => step.kind === 'syn-ack');
    expect(model.steps[synAck]?.eventIndex).toBeNull();
    expect(model.stepOf(5)).toBe(synAck + 1);
  });

  it('shows a refused connect as SYN then RST, an abort as RST from you, a reset as RST from the other side', () => {
    const refused = new TimelineModel('r');
    refused.update(
      [
        { id: 'r', t: 0, type: 'resolving', host: '127.0.0.1', port: 1, route: 'lab' },
        { id: 'r', t: 0.1, type: 'connecting', address: '127.0.0.1', port: 1, route: 'lab' },
        { id: 'r', t: 0.4, type: 'error', code: 'ECONNREFUSED', message: 'refused', hint: '' },
        { id: 'r', t: 0.5, type: 'closed', by: 'error' },
      ],
      lengthOf,
    );
    expect(refused.steps.map((step) => `${step.kind}:${step.from}`)).toEqual([
      'call:you',
      'syn:you',
      'rst:peer',
      'close:you',
    ]);
    expect(refused.steps[2]?.label).toContain('nothing listens on port 1');

    const aborted = new TimelineModel('a');
    aborted.update([...socket1('a').slice(0, 5), { id: 'a', t: 111, type: 'closed', by: 'abort' }], lengthOf);
    expect(aborted.steps.at(-1)).toMatchObject({ kind: 'rst', from: 'you', to: 'peer' });
  });

  it('plots bytes over time as a staircase with one step per arrival', () => {
    const model = new TimelineModel('s');
    const events: LabEvent[] = [{ id: 's', t: 0, type: 'resolving', host: 'x', port: 80, route: 'lab' }];
    for (let i = 0; i < 5; i++) {
      events.push({ id: 's', t: 100 * (i + 1), type: 'data', dir: 'in', offset: i * 100, bytes: new Uint8Array(100) });
    }
    model.update(events, lengthOf);
    const series = model.plot.series('in');
    expect(series.count).toBe(5);
    expect(series.total).toBe(500);
    const box = { width: 500, height: 100, tMax: 500, yMax: 500 };
    const path = series.staircase(box);
    // Five rises (V), each after a flat run (H), then flat to the end.
    expect(path.match(/V/g)).toHaveLength(5);
    expect(path.startsWith('M0 100.0')).toBe(true);
    expect(series.marks(box)?.map((mark) => [mark.x, mark.y])).toEqual([
      [100, 80],
      [200, 60],
      [300, 40],
      [400, 20],
      [500, 0],
    ]);
  });

  it('takes 100,000 arrivals in one pass, and draws their staircase in a few points per pixel', () => {
    const events: LabEvent[] = [{ id: 'big', t: 0, type: 'resolving', host: 'x', port: 80, route: 'lab' }];
    const chunk = new Uint8Array(0);
    for (let i = 0; i < 100_000; i++) {
      events.push({ id: 'big', t: i * 0.01, type: 'data', dir: 'in', offset: i * 1000, bytes: chunk });
    }
    const model = new TimelineModel('big');
    model.update(events, () => 1000);
    expect(model.count).toBe(100_001);
    const series = model.plot.series('in');
    const path = series.staircase({ width: 600, height: 200, tMax: series.lastT, yMax: series.total });
    // At most a step per pixel column, not one per arrival.
    expect((path.match(/V/g) ?? []).length).toBeLessThanOrEqual(601);
    expect(series.marks({ width: 600, height: 200, tMax: 1, yMax: 1 })).toBeNull();
  });

  it('reads only new events on each update', () => {
    const events = socket1();
    const model = new TimelineModel('c1');
    model.update(events.slice(0, 4), lengthOf);
    const before = model.count;
    model.update(events, lengthOf);
    model.update(events, lengthOf);
    expect(model.count).toBe(before + 5);
  });
});
