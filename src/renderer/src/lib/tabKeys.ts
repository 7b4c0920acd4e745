/**
 * Arrow keys in an ARIA tab list (WAI-ARIA "Tabs" pattern): Left and Right move to the previous and next tab,
 * wrapping around, choose it and move the focus to it; any other key is left to the browser.
 */

/** The tab an arrow key leads to from `index`, or undefined for a key that does not move. */
export function arrowTab<T>(tabs: readonly T[], index: number, key: string): T | undefined {
  const step = key === 'ArrowRight' ? 1 : key === 'ArrowLeft' ? -1 : 0;
  if (step === 0 || tabs.length === 0) return undefined;
  return tabs[(index + step + tabs.length) % tabs.length];
}

/** A tab's keydown: chooses the tab the arrow leads to and focuses its button (element id `${idPrefix}${id}`). */
export function ontabkey<T extends { id: string }>(
  event: KeyboardEvent,
  tabs: readonly T[],
  index: number,
  choose: (id: T['id']) => void,
  idPrefix: string,
): void {
  const next = arrowTab(tabs, index, event.key);
  if (next === undefined) return;
  event.preventDefault();
  choose(next.id);
  document.getElementById(`${idPrefix}${next.id}`)?.focus();
}
