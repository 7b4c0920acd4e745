/**
 * Screen state shared by the workbench, the byte log and the code twin: which connection and which log row the
 * learner is looking at, and the pane sizes (remembered in localStorage, so the layout survives a reload).
 */
import type { ConnectionId } from '../../../../shared/contract';

export interface PaneSizes {
  /** Width of the lab guide (left), px. */
  guide: number;
  /** Width of the code twin (right), px. */
  twin: number;
  /** Height of the workbench (top middle), px. */
  workbench: number;
  /** Height of the stream views under the log, px. */
  views: number;
  /** Width of the timeline beside the byte log, px. */
  timeline: number;
}

/** Who picked a row: the byte log itself, the timeline (the log then brings the row into view), or anything else. */
export type SelectionOrigin = 'log' | 'timeline' | 'other';

export type SelectionListener = (index: number | null, origin: SelectionOrigin) => void;

export const PANE_LIMITS: Record<keyof PaneSizes, { min: number; max: number; initial: number }> = {
  guide: { min: 180, max: 640, initial: 280 },
  twin: { min: 200, max: 720, initial: 320 },
  workbench: { min: 160, max: 900, initial: 400 },
  views: { min: 120, max: 900, initial: 240 },
  timeline: { min: 240, max: 900, initial: 340 },
};

const STORAGE_KEY = 'socket-lab:panes';

function clampPane(name: keyof PaneSizes, value: number): number {
  const { min, max } = PANE_LIMITS[name];
  return Math.round(Math.min(max, Math.max(min, value)));
}

function loadSizes(): PaneSizes {
  // On a small screen the other panes start smaller, so the byte log keeps some room.
  const height = typeof window === 'undefined' ? 900 : window.innerHeight;
  const width = typeof window === 'undefined' ? 1440 : window.innerWidth;
  // At 1024×700 the byte log still shows 8 rows with every column, and the hex view its ASCII column.
  const sizes: PaneSizes = {
    guide: clampPane('guide', Math.min(PANE_LIMITS.guide.initial, width * 0.18)),
    twin: clampPane('twin', Math.min(PANE_LIMITS.twin.initial, width * 0.2)),
    workbench: clampPane('workbench', Math.min(PANE_LIMITS.workbench.initial, height * (height >= 800 ? 0.44 : 0.34))),
    views: clampPane('views', Math.min(PANE_LIMITS.views.initial, height * 0.2)),
    timeline: clampPane('timeline', Math.min(PANE_LIMITS.timeline.initial, width * 0.3)),
  };
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (saved && typeof saved === 'object') {
      for (const name of Object.keys(sizes) as (keyof PaneSizes)[]) {
        const value = (saved as Record<string, unknown>)[name];
        if (typeof value === 'number' && Number.isFinite(value)) sizes[name] = clampPane(name, value);
      }
    }
  } catch {
    // No storage (or a damaged entry): the defaults are fine.
  }
  return sizes;
}

export class LabUiState {
  #selectedConnectionId = $state<ConnectionId | null>(null);
  #selectedEventIndex = $state<number | null>(null);
  /** The connection of the selected row, so picking another connection lets go of the row. */
  #selectedEventConnection: ConnectionId | null = null;
  #panes = $state<PaneSizes>(loadSizes());
  #timelineOpen = $state(false);
  // Listeners, not screen state: nothing draws from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #selectionListeners = new Set<SelectionListener>();

  /** A second selection (for a saved session on screen) that shares these pane sizes. */
  forReplay(): LabUiState {
    const replay = new LabUiState();
    replay.#panes = this.#panes;
    return replay;
  }

  get selectedConnectionId(): ConnectionId | null {
    return this.#selectedConnectionId;
  }

  /** Picks a connection; a selected row of another connection does not stay selected. */
  set selectedConnectionId(id: ConnectionId | null) {
    this.#selectedConnectionId = id;
    if (this.#selectedEventIndex !== null && this.#selectedEventConnection !== id) this.selectEvent(null);
  }

  /** The byte-log row (an index into store.events) the learner picked, if any. */
  get selectedEventIndex(): number | null {
    return this.#selectedEventIndex;
  }

  /**
   * Picks the row of event `index` (of connection `connectionId`), and its connection; null picks no row. `origin`
   * tells the other views who picked it, so each brings it into view without scrolling the one that was clicked.
   */
  selectEvent(index: number | null, connectionId: ConnectionId | null = null, origin: SelectionOrigin = 'other'): void {
    this.#selectedEventIndex = index;
    this.#selectedEventConnection = index === null ? null : connectionId;
    if (index !== null && connectionId !== null) this.#selectedConnectionId = connectionId;
    for (const listener of this.#selectionListeners) listener(index, origin);
  }

  /** Calls `listener` after every row selection (an event handler's work, not an effect's); returns the stop. */
  onSelectEvent(listener: SelectionListener): () => void {
    this.#selectionListeners.add(listener);
    return () => this.#selectionListeners.delete(listener);
  }

  /** The timeline beside the byte log is open (for the selected connection). */
  get timelineOpen(): boolean {
    return this.#timelineOpen;
  }

  set timelineOpen(open: boolean) {
    this.#timelineOpen = open;
  }

  /** Opens the timeline for connection `id` (the guide's "show me" buttons), selecting that connection. */
  openTimeline(id: ConnectionId | null = this.#selectedConnectionId): void {
    if (id !== null && id !== this.#selectedConnectionId) this.selectedConnectionId = id;
    this.#timelineOpen = true;
  }

  get panes(): Readonly<PaneSizes> {
    return this.#panes;
  }

  resizePane(name: keyof PaneSizes, value: number): void {
    this.#panes[name] = clampPane(name, value);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(this.#panes));
    } catch {
      // Storage full or disabled: the size still applies for this visit.
    }
  }
}
