import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/contract';
import { ByteBudget } from '../../../src/renderer/src/features/session/byteBudget';

function data(offset: number, length: number): LabEvent {
  return { id: 'a', t: 0, type: 'data', dir: 'in', offset, bytes: new Uint8Array(length).fill(0x61) };
}

describe('ByteBudget', () => {
  it('drops the oldest data bytes past the bound, keeping the rows and their lengths', () => {
    const budget = new ByteBudget(100);
    const events: LabEvent[] = [{ id: 'a', t: 0, type: 'resolving', host: 'x', port: 1, route: 'lab' }];
    for (let i = 0; i < 5; i++) {
      const event = data(i * 40, 40);
      events.push(event);
      budget.admit(event);
    }
    const original = events[1];
    expect(budget.trim(events)).toBe(3);
    expect(events).toHaveLength(6);
    expect(budget.keptBytes).toBe(80);
    expect(budget.droppedBytes).toBe(120);
    expect(budget.droppedRows).toBe(3);
    expect(budget.droppedThrough).toBe(4);
    for (const index of [1, 2, 3]) {
      expect((events[index] as Extract<LabEvent, { type: 'data' }>).bytes.byteLength).toBe(0);
      expect(budget.droppedLength(index)).toBe(40);
    }
    expect(budget.droppedLength(0)).toBe(0);
    expect(budget.droppedLength(4)).toBe(0);
    // The event object itself is not changed: whoever held it keeps its bytes.
    expect((original as Extract<LabEvent, { type: 'data' }>).bytes.byteLength).toBe(40);
    expect((events[1] as Extract<LabEvent, { type: 'data' }>).offset).toBe(0);
  });

  it('does nothing under the bound', () => {
    const budget = new ByteBudget(100);
    const events = [data(0, 60)];
    budget.admit(events[0] as LabEvent);
    expect(budget.trim(events)).toBe(0);
    expect(budget.keptBytes).toBe(60);
  });

  it('grows its table of lengths for long sessions', () => {
    const budget = new ByteBudget(10);
    const events: LabEvent[] = [];
    for (let i = 0; i < 5000; i++) {
      const event = data(i * 10, 10);
      events.push(event);
      budget.admit(event);
    }
    budget.trim(events);
    expect(budget.keptBytes).toBe(10);
    expect(budget.droppedLength(4998)).toBe(10);
    expect(budget.droppedLength(4999)).toBe(0);
  });
});
