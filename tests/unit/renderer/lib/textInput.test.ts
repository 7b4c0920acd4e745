import { describe, expect, it } from 'vitest';
import { insertedText, valueAfterInsert } from '../../../../src/renderer/src/lib/textInput';

/** A beforeinput event as a box would send it: its value, its selection, and what is inserted. */
function beforeInput(
  value: string,
  start: number,
  end: number,
  insert: { data?: string; dropped?: string; inputType?: string },
): InputEvent {
  return {
    inputType: insert.inputType ?? 'insertText',
    currentTarget: { value, selectionStart: start, selectionEnd: end },
    data: insert.data ?? null,
    dataTransfer:
      insert.dropped === undefined
        ? null
        : { getData: (type: string) => (type === 'text/plain' ? insert.dropped : '') },
  } as unknown as InputEvent;
}

describe('a beforeinput event’s insert', () => {
  it('is the typed or pasted text, or the dropped text, or nothing for a deletion', () => {
    expect(insertedText(beforeInput('ab', 1, 1, { data: 'x' }))).toBe('x');
    expect(insertedText(beforeInput('ab', 1, 1, { dropped: 'dropped' }))).toBe('dropped');
    expect(insertedText(beforeInput('ab', 1, 2, {}))).toBe('');
    // Enter in a text area: the event carries no data, and the box puts in a line break.
    expect(insertedText(beforeInput('ab', 1, 1, { inputType: 'insertLineBreak' }))).toBe('\n');
    expect(valueAfterInsert(beforeInput('ab', 0, 2, { inputType: 'insertParagraph' }))).toBe('\n');
  });

  it('replaces the selection: the box holds the text before it, the insert, and the text after it', () => {
    expect(valueAfterInsert(beforeInput('data.pr4e.org', 0, 4, { data: 'www' }))).toBe('www.pr4e.org');
    expect(valueAfterInsert(beforeInput('abc', 3, 3, { data: 'd' }))).toBe('abcd');
    expect(valueAfterInsert(beforeInput('abc', 0, 3, { data: 'x' }))).toBe('x');
    expect(valueAfterInsert(beforeInput('abc', 1, 2, {}))).toBe('ac');
    expect(valueAfterInsert(beforeInput('abc', 1, 1, {}), 'ZZ')).toBe('aZZbc');
  });
});
