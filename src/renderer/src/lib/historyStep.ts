/**
 * Edit › Undo or Redo in the focused text box. It is offered to the box first as the input event a browser sends for
 * an undo, so a box with a history of its own (the message box: the edits it makes itself) can take the step; a box
 * that leaves it gets the browser's own undo.
 */
export function historyStep(step: 'undo' | 'redo'): void {
  const box = document.activeElement;
  if (!(box instanceof HTMLInputElement || box instanceof HTMLTextAreaElement)) return;
  const offer = new InputEvent('beforeinput', {
    inputType: step === 'undo' ? 'historyUndo' : 'historyRedo',
    bubbles: true,
    cancelable: true,
  });
  if (!box.dispatchEvent(offer)) return;
  // The only way a page can run the browser's own undo in a text box; deprecated, and still what every browser does.
  document.execCommand(step);
}
