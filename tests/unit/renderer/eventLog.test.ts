import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/renderer/src/features/session/eventLog';
import type { LabEvent } from '../../../src/shared/contract';

function data(offset: number, length: number): LabEvent {
  return { id: 'a', t: offset, type: 'data', dir: 'in', offset, bytes: new Uint8Array(length).fill(1) };
}

const marker: LabEvent = { id: 'a', t: 0, type: 'peer-ended' };

describe('EventLog', () => {
  it('drops the oldest bytes past the byte bound, keeping their rows, offsets and counts', () => {
    const log = new EventLog({ keptBytes: 100, keptRows: 1000 });
    log.push(marker);
    for (let i = 0; i < 5; i++) log.push(data(i * 40, 40));
    expect(log.trim()).toBe(true);
    expect(log.keptBytes).toBe(80);
    expect(log.droppedBytes).toBe(120);
    expect(log.bytesDroppedThrough).toBe(4);
    expect(log.length).toBe(6);
    expect(log.first).toBe(0);
    for (const index of [1, 2, 3]) {
      const event = log.at(index);
      expect(event?.type === 'data' && event.bytes.byteLength).toBe(0);
      expect(event?.type === 'data' && event.offset).toBe((index - 1) * 40);
      expect(log.droppedLength(index)).toBe(40);
    }
    expect(log.droppedLength(0)).toBe(0);
    expect(log.droppedLength(4)).toBe(0);
    expect(log.trim()).toBe(false);
  });

  it('never changes an event someone holds: a dropped event is a new object', () => {
    const log = new EventLog({ keptBytes: 10, keptRows: 1000 });
    const held = data(0, 20);
    log.push(held);
    log.push(data(20, 5));
    log.trim();
    expect(held.type === 'data' && held.bytes.byteLength).toBe(20);
    expect(log.at(0)).not.toBe(held);
  });

  it('lets go of the oldest rows past the row bound, a block at a time, with indexes that never shift', () => {
    const log = new EventLog({ keptBytes: 1 << 30, keptRows: 1600 });
    for (let i = 0; i < 5000; i++) log.push(data(i * 10, 10));
    log.trim();
    expect(log.length).toBe(5000);
    expect(log.length - log.first).toBeLessThanOrEqual(1600);
    expect(log.length - log.first).toBeGreaterThan(1500);
    expect(log.at(log.first - 1)).toBeUndefined();
    expect(log.at(log.first)).toMatchObject({ offset: log.first * 10 });
    expect(log.at(4999)).toMatchObject({ offset: 49_990 });
    // The bytes of rows let go are let go with them.
    expect(log.keptBytes).toBe((log.length - log.first) * 10);
    expect(log.droppedBytes + log.keptBytes).toBe(50_000);
  });

  it('stays bounded however much streams through it', () => {
    const log = new EventLog({ keptBytes: 64 * 1024, keptRows: 256 });
    for (let i = 0; i < 100_000; i++) {
      log.push(data(i * 1024, 1024));
      if (i % 16 === 0) log.trim();
    }
    log.trim();
    expect(log.keptBytes).toBeLessThanOrEqual(64 * 1024);
    expect(log.length - log.first).toBeLessThanOrEqual(256);
    expect(log.length).toBe(100_000);
  });

  it('remembers the length of a data event that came without its bytes', () => {
    const log = new EventLog({ keptBytes: 100, keptRows: 100 });
    log.push({ id: 'a', t: 0, type: 'data', dir: 'out', offset: 0, bytes: new Uint8Array(0) }, 7);
    expect(log.droppedLength(0)).toBe(7);
    expect(log.keptBytes).toBe(0);
  });
});

describe('EventLog with a TLS connection', () => {
  const wire = (offset: number, length: number): LabEvent => ({
    id: 'a',
    t: offset,
    type: 'wire',
    dir: 'in',
    offset,
    bytes: new Uint8Array(length).fill(23),
    records: [
      {
        recordOffset: offset,
        start: 0,
        length,
        at: 0,
        contentType: 'application-data',
        version: 'TLS 1.2',
        payloadLength: length - 5,
        complete: true,
        encrypted: true,
      },
    ],
  });

  it('counts wire bytes against the same bound as plain bytes, and drops them the same way, records kept', () => {
    const log = new EventLog({ keptBytes: 100, keptRows: 1000 });
    for (let i = 0; i < 3; i++) {
      log.push(wire(i * 45, 45));
      log.push(data(i * 40, 40));
    }
    expect(log.keptBytes).toBe(255);
    expect(log.trim()).toBe(true);
    expect(log.keptBytes).toBeLessThanOrEqual(100);
    expect(log.keptBytes + log.droppedBytes).toBe(255);
    const first = log.at(0);
    expect(first?.type).toBe('wire');
    expect(first?.type === 'wire' && first.bytes.byteLength).toBe(0);
    expect(first?.type === 'wire' && first.records[0]?.contentType).toBe('application-data');
    expect(log.droppedLength(0)).toBe(45);
  });
});
