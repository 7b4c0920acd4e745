import { describe, expect, it } from 'vitest';
import {
  EditHistory,
  historyKey,
  KEPT_CHARACTERS,
  KEPT_EDITS,
} from '../../../src/renderer/src/features/workbench/editHistory';

const state = (value: string, at = value.length) => ({ value, start: at, end: at });

describe('EditHistory: undo and redo of the edits the composer makes itself', () => {
  it('puts the box back as it was, then forward again', () => {
    const edits = new EditHistory();
    edits.record({ value: 'hello', start: 0, end: 5 }, state('PASTED'));
    expect(edits.undo('PASTED')).toEqual({ value: 'hello', start: 0, end: 5 });
    expect(edits.undo('hello')).toBeNull();
    expect(edits.redo('hello')).toEqual(state('PASTED'));
    expect(edits.redo('PASTED')).toBeNull();
  });

  it('leaves the turn to the browser while the box holds something else (typed since), and takes it once it does not', () => {
    const edits = new EditHistory();
    edits.record(state('a'), state('BIG'));
    expect(edits.undo('BIGx')).toBeNull();
    // The browser's undo took the x back: now this edit is the one to undo.
    expect(edits.undo('BIG')).toEqual(state('a'));
  });

  it('undoes edits newest first, and a new edit forgets what could be redone', () => {
    const edits = new EditHistory();
    edits.record(state('0'), state('1'));
    edits.record(state('1'), state('2'));
    expect(edits.undo('2')).toEqual(state('1'));
    edits.record(state('1'), state('3'));
    expect(edits.redo('1')).toBeNull();
    expect(edits.undo('3')).toEqual(state('1'));
    expect(edits.undo('1')).toEqual(state('0'));
  });

  it(`keeps the last ${KEPT_EDITS} edits only`, () => {
    const edits = new EditHistory();
    for (let i = 0; i <= KEPT_EDITS; i++) edits.record(state(String(i)), state(String(i + 1)));
    let value = String(KEPT_EDITS + 1);
    let undone = 0;
    for (let back = edits.undo(value); back !== null; back = edits.undo(value)) {
      value = back.value;
      undone += 1;
    }
    expect(undone).toBe(KEPT_EDITS);
    expect(value).toBe('1');
  });
});

describe('EditHistory: memory', () => {
  it(`keeps at most ${KEPT_CHARACTERS.toLocaleString('en-US')} characters of edits, but always the newest`, () => {
    const edits = new EditHistory();
    const big = (letter: string) => letter.repeat(KEPT_CHARACTERS / 4);
    edits.record(state(''), state(big('a')));
    edits.record(state(big('a')), state(big('b')));
    edits.record(state(big('b')), state(big('c')));
    // The first two together hold a quarter plus a half; with the third, more than the budget: the first goes.
    expect(edits.undo(big('c'))).toEqual(state(big('b')));
    expect(edits.undo(big('b'))).toEqual(state(big('a')));
    expect(edits.undo(big('a'))).toBeNull();
    const huge = new EditHistory();
    huge.record(state('x'), state('y'.repeat(KEPT_CHARACTERS * 2)));
    expect(huge.undo('y'.repeat(KEPT_CHARACTERS * 2))).toEqual(state('x'));
  });
});

describe('historyKey', () => {
  const key = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) =>
    historyKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('reads Ctrl+Z and ⌘Z as undo; with Shift, and Ctrl+Y, as redo', () => {
    expect(key('z', { ctrlKey: true })).toBe('undo');
    expect(key('z', { metaKey: true })).toBe('undo');
    expect(key('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(key('Z', { metaKey: true, shiftKey: true })).toBe('redo');
    expect(key('y', { ctrlKey: true })).toBe('redo');
  });
  it('reads nothing else', () => {
    expect(key('z')).toBeNull();
    expect(key('z', { ctrlKey: true, altKey: true })).toBeNull();
    expect(key('a', { ctrlKey: true })).toBeNull();
    expect(key('Enter', { ctrlKey: true })).toBeNull();
  });
});
