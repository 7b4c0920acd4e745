import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/contract';
import { EventLog } from '../../../src/renderer/src/features/session/eventLog';
import { byteAxis, niceStep, timeAxis } from '../../../src/renderer/src/features/timeline/plotScale';
import {
  formatStepTime,
  stepSentence,
  TimelineModel,
  type LengthOf,
} from '../../../src/renderer/src/features/timeline/timelineModel';
import { timelineFor } from '../../../src/renderer/src/features/timeline/timelines';

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
    // Even when the start it was given was a guess made before the connection's first event came.
    const guessed = new TimelineModel('c1', 0);
    guessed.update(socket1(), lengthOf);
    expect(guessed.steps[4]?.t).toBe(10);
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

describe('the timeline with the byte log’s bounds', () => {
  it('lets go of the steps and plot points of rows the log let go, keeping the running total', () => {
    const log = new EventLog({ keptBytes: 1_000_000, keptRows: 64 });
    for (const event of socket1('c1').slice(0, 4)) log.push(event);
    for (let i = 0; i < 200; i++) {
      log.push({ id: 'c1', t: 120 + i, type: 'data', dir: 'in', offset: i * 10, bytes: new Uint8Array(10) });
    }
    log.trim();
    expect(log.first).toBeGreaterThan(4);
    const model = new TimelineModel('c1', 100);
    model.update(log, lengthOf);
    // Only the kept rows have steps, and their times still count from the connection's start.
    expect(model.count).toBe(log.length - log.first);
    expect(model.step(0).eventIndex).toBe(log.first);
    expect(model.step(0).t).toBe((log.at(log.first)?.t ?? 0) - 100);

    // Rows let go later take their steps with them; the staircase starts at the total reached before them.
    const before = model.plot.series('in').total;
    for (let i = 200; i < 300; i++) {
      log.push({ id: 'c1', t: 120 + i, type: 'data', dir: 'in', offset: i * 10, bytes: new Uint8Array(10) });
    }
    log.trim();
    model.update(log, lengthOf);
    const series = model.plot.series('in');
    // Counted from the stream offsets: a model begun after rows were let go still knows the running total.
    expect(before).toBe(2000);
    expect(series.total).toBe(before + 1000);
    expect(series.total).toBe(3000);
    expect(model.letGo).toBeGreaterThan(0);
    expect(model.step(0).eventIndex).toBe(log.first);
    // Rows let go before the model read them leave a rise, not a gap: the next point counts from its offset.
    expect(series.base).toBe(before);
    expect(series.staircase({ width: 100, height: 100, tMax: 400, yMax: 3000 })).toMatch(/^M\d+\.\d /);
    // A row that was let go has no step; the kept ones still find theirs.
    expect(model.exactStepOf(3)).toBe(-1);
    expect(model.exactStepOf(log.length - 1)).toBe(model.count - 1);
  });

  it('starts a model again when the source it read is not the one it is shown', () => {
    const events = socket1();
    const first = timelineFor(events, 'c1', null, lengthOf);
    expect(timelineFor(events, 'c1', null, lengthOf)).toBe(first);
    expect(first.count).toBe(9);
    const shorter = events.slice(0, 3);
    expect(timelineFor(shorter, 'c1', null, lengthOf).count).toBe(1 + 1);
  });
});

describe('the words of each step', () => {
  it('says every step in one sentence, naming both sides and what TCP did underneath', () => {
    const model = new TimelineModel('c1');
    model.update(socket1(), lengthOf);
    const sentences = model.steps.map((step) => stepSentence(step, 'data.pr4e.org:80'));
    expect(sentences[0]).toBe("0.0 ms, at your program: connect(('data.pr4e.org', 80))");
    expect(sentences[2]).toMatch(/^1\.5 ms, data\.pr4e\.org:80 to your program: SYN\/ACK \(TCP does this underneath/);
    expect(sentences[3]).toContain('ACK: connected in 1.2 ms');
    expect(sentences[4]).toBe('10 ms, your program to data.pr4e.org:80: send 47 bytes');
    expect(sentences[5]).toBe('12 ms, data.pr4e.org:80 to your program: 535 bytes arrive');
    expect(sentences[6]).toBe("12 ms, data.pr4e.org:80 to your program: FIN: recv() returns b''");
    expect(sentences[8]).toBe('30 ms, at your program: close(): your socket is let go');
    expect(formatStepTime(12_345)).toBe('12.3 s');
  });

  it('names a TLS handshake, a reset, a timeout and any other error as notes or arrows', () => {
    const model = new TimelineModel('t');
    model.update(
      [
        { id: 't', t: 0, type: 'resolving', host: 'data.pr4e.org', port: 443, route: 'lab', tls: true },
        {
          id: 't',
          t: 5,
          type: 'tls',
          protocol: 'TLSv1.3',
          cipher: 'TLS_AES_256_GCM_SHA384',
          cipherOpenSsl: 'TLS_AES_256_GCM_SHA384',
          alpn: null,
          serverName: 'data.pr4e.org',
          certificate: null,
          trust: { trusted: false, labCertificate: true, why: 'the lab made it' },
          handshakeMs: 3,
        },
        { id: 't', t: 6, type: 'wire', dir: 'in', offset: 0, bytes: new Uint8Array(5), records: [] },
        { id: 't', t: 7, type: 'error', code: 'ECONNRESET', message: 'reset', hint: '' },
        { id: 't', t: 8, type: 'error', code: 'ETIMEDOUT', message: 'timed out', hint: '' },
        { id: 't', t: 9, type: 'error', code: 'EHOSTUNREACH', message: 'No way to that computer.', hint: '' },
        { id: 't', t: 10, type: 'closed', by: 'peer' },
      ],
      lengthOf,
    );
    expect(model.steps.map((step) => [step.kind, step.from, step.to, step.label])).toEqual([
      ['call', 'you', null, "connect(('data.pr4e.org', 443))"],
      ['tls', 'you', null, 'TLS handshake done: TLSv1.3, TLS_AES_256_GCM_SHA384'],
      ['rst', 'peer', 'you', 'RST: the other side reset the connection'],
      ['timeout', 'you', null, 'no answer from data.pr4e.org: timed out'],
      ['error', 'you', null, 'EHOSTUNREACH: No way to that computer.'],
      ['close', 'peer', null, 'closed: the other side finished'],
    ]);
  });

  it('picks rows from steps: each its own, the SYN/ACK the SYN’s', () => {
    const model = new TimelineModel('c1');
    model.update(socket1(), lengthOf);
    const synAck = model.steps.findIndex((step) => step.kind === 'syn-ack');
    expect(model.eventOfStep(synAck)).toBe(2);
    expect(model.eventOfStep(synAck + 1)).toBe(3);
    expect(model.exactStepOf(2)).toBe(synAck - 1);
    expect(model.eventOfStep(99)).toBeNull();
  });
});

describe('the plot axes', () => {
  it('has nice ticks from zero in a unit that suits the range', () => {
    expect(niceStep(535, 4)).toBe(200);
    expect(niceStep(0, 4)).toBe(1);
    expect(byteAxis(535)).toMatchObject({ unit: 'bytes', top: 600, labels: ['0', '200', '400', '600'] });
    expect(byteAxis(100 * 1000 * 100)).toMatchObject({ unit: 'MiB', labels: ['0', '5', '10'] });
    expect(byteAxis(50_000).unit).toBe('KiB');
    expect(timeAxis(240)).toMatchObject({ unit: 'ms', top: 250, labels: ['0', '50', '100', '150', '200', '250'] });
    expect(timeAxis(1_000_003)).toMatchObject({ unit: 's', labels: ['0', '500', '1000', '1500'] });
    expect(timeAxis(0).top).toBeGreaterThan(0);
  });
});
