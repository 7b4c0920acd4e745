/**
 * What a `beforeinput` event is about to do to its text box, for the boxes that refuse an insert before the box
 * takes it (a text box holding megabytes freezes the page while the browser lays it out).
 */

/** The text the event is about to insert (typed, pasted or dropped, or Enter's line break); '' for a deletion. */
export function insertedText(event: InputEvent): string {
  if (event.inputType === 'insertLineBreak' || event.inputType === 'insertParagraph') return '\n';
  return event.data ?? event.dataTransfer?.getData('text/plain') ?? '';
}

/** What the box will hold if the insert goes in: its text around the selection, and the insert in its place. */
export function valueAfterInsert(event: InputEvent, inserted: string = insertedText(event)): string {
  const box = event.currentTarget as HTMLInputElement | HTMLTextAreaElement;
  const start = box.selectionStart ?? box.value.length;
  return box.value.slice(0, start) + inserted + box.value.slice(box.selectionEnd ?? start);
}
