import { describe, expect, it } from 'vitest';
import { Disclosure } from '../../../../src/renderer/src/lib/disclosure.svelte';

describe('Disclosure', () => {
  it('starts closed, its button says so and its content is hidden', () => {
    const part = new Disclosure();
    expect(part.toggle['aria-expanded']).toBe(false);
    expect(part.content.hidden).toBe(true);
    expect(part.toggle['aria-controls']).toBe(part.content.id);
  });

  it('opens and closes with each press of its button', () => {
    const part = new Disclosure();
    part.toggle.onclick();
    expect(part.open).toBe(true);
    expect(part.toggle['aria-expanded']).toBe(true);
    expect(part.content.hidden).toBe(false);
    part.toggle.onclick();
    expect(part.content.hidden).toBe(true);
  });

  it('shows its content once open, and two never share an id', () => {
    const first = new Disclosure();
    const second = new Disclosure();
    first.open = true;
    expect(first.content.hidden).toBe(false);
    expect(second.content.hidden).toBe(true);
    expect(first.content.id).not.toBe(second.content.id);
  });
});
