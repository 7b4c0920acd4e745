/**
 * Undo and redo for the edits the composer makes itself (a paste, cut or typing over thousands of lines: see
 * `editManyLines` in Composer.svelte). Chromium's own undo cannot see them: setting a text box's value empties its
 * undo list. So the composer keeps each such edit here, the box as it was before and after, and Ctrl+Z (⌘Z) puts the
 * box back as it was, as long as it still holds what that edit left (or holds it again, once the browser's own undo
 * has taken back what was typed since). Redo (Ctrl+Shift+Z, Ctrl+Y, ⌘⇧Z) does it again.
 */

/** A text box's text and selection. */
export interface BoxState {
  value: string;
  start: number;
  end: number;
}

interface Edit {
  before: BoxState;
  after: BoxState;
}

/** Edits kept at most. */
export const KEPT_EDITS = 10;
/**
 * Characters the kept edits may hold in all (a message can be a few million: a longer paste is refused before it goes
 * in); past it the oldest go, but the newest edit is always kept. 8 Mi characters are 16 MiB of strings.
 */
export const KEPT_CHARACTERS = 8 * 1024 * 1024;

/** Characters an edit holds: its text before and after (the same string, when nothing changed, counted once). */
const sizeOf = (edit: Edit): number =>
  edit.before.value.length + (edit.after.value === edit.before.value ? 0 : edit.after.value.length);

export class EditHistory {
  #undo: Edit[] = [];
  #redo: Edit[] = [];

  /** An edit the composer made itself. A new edit forgets what could be redone, as a browser's undo does. */
  record(before: BoxState, after: BoxState): void {
    this.#undo.push({ before, after });
    this.#redo = [];
    let characters = this.#undo.reduce((sum, edit) => sum + sizeOf(edit), 0);
    while (this.#undo.length > 1 && (this.#undo.length > KEPT_EDITS || characters > KEPT_CHARACTERS)) {
      characters -= sizeOf(this.#undo.shift() as Edit);
    }
  }

  /** What the box goes back to, when it holds what the last such edit left; otherwise null (the browser's turn). */
  undo(current: string): BoxState | null {
    const edit = this.#undo.at(-1);
    if (edit === undefined || edit.after.value !== current) return null;
    this.#undo.pop();
    this.#redo.push(edit);
    return edit.before;
  }

  /** What the box goes forward to, when it holds what the last undo here put back; otherwise null. */
  redo(current: string): BoxState | null {
    const edit = this.#redo.at(-1);
    if (edit === undefined || edit.before.value !== current) return null;
    this.#redo.pop();
    this.#undo.push(edit);
    return edit.after;
  }
}

/** What of a key press says undo or redo (a KeyboardEvent has all of it). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The key presses that mean undo and redo: Ctrl (⌘ on a Mac) with Z; with Shift, or Ctrl+Y, redo. */
export function historyKey(event: KeyPress): 'undo' | 'redo' | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (key === 'y' && !event.shiftKey) return 'redo';
  return null;
}
