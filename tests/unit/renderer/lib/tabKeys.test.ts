import { afterEach, describe, expect, it, vi } from 'vitest';
import { arrowTab, ontabkey } from '../../../../src/renderer/src/lib/tabKeys';

const TABS = [{ id: 'text' }, { id: 'hex' }, { id: 'http' }] as const;

describe('arrowTab', () => {
  it('moves right and left, wrapping around at both ends', () => {
    expect(arrowTab(TABS, 0, 'ArrowRight')?.id).toBe('hex');
    expect(arrowTab(TABS, 2, 'ArrowRight')?.id).toBe('text');
    expect(arrowTab(TABS, 1, 'ArrowLeft')?.id).toBe('text');
    expect(arrowTab(TABS, 0, 'ArrowLeft')?.id).toBe('http');
  });

  it('leaves every other key alone', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'Tab', 'Enter', ' ', 'a'])
      expect(arrowTab(TABS, 1, key)).toBeUndefined();
    expect(arrowTab([], 0, 'ArrowRight')).toBeUndefined();
  });
});

describe('ontabkey', () => {
  afterEach(() => vi.unstubAllGlobals());

  function press(key: string): { chosen: string[]; focused: string[]; prevented: boolean } {
    const focused: string[] = [];
    vi.stubGlobal('document', { getElementById: (id: string) => ({ focus: () => focused.push(id) }) });
    const chosen: string[] = [];
    let prevented = false;
    const event = { key, preventDefault: () => (prevented = true) } as unknown as KeyboardEvent;
    ontabkey(event, TABS, 0, (id) => chosen.push(id), 'view-tab-');
    return { chosen, focused, prevented };
  }

  it('chooses the next tab and focuses its button, and keeps the key from scrolling', () => {
    expect(press('ArrowRight')).toEqual({ chosen: ['hex'], focused: ['view-tab-hex'], prevented: true });
    expect(press('ArrowLeft')).toEqual({ chosen: ['http'], focused: ['view-tab-http'], prevented: true });
  });

  it('does nothing for a key that does not move, so the browser still handles it', () => {
    expect(press('Tab')).toEqual({ chosen: [], focused: [], prevented: false });
  });
});
