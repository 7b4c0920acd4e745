/**
 * The screen state's rune class, compiled by the Svelte plugin: pane sizes clamped and remembered, and the
 * selection of a connection and a row. Type-checked with the DOM (tests/tsconfig.browser.json): it meets
 * window and localStorage, stubbed here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabUiState, PANE_LIMITS } from '../../../src/renderer/src/features/session/labUi.svelte';

describe('LabUiState', () => {
  const storage = new Map<string, string>();
  const stubBrowser = (width: number, height: number): void => {
    vi.stubGlobal('window', { innerWidth: width, innerHeight: height });
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
    });
  };
  afterEach(() => {
    vi.unstubAllGlobals();
    storage.clear();
  });

  it('clamps every pane to its limits, whole pixels, and remembers the sizes for the next visit', () => {
    stubBrowser(1440, 900);
    const ui = new LabUiState();
    ui.resizePane('guide', 10);
    ui.resizePane('twin', 10_000);
    ui.resizePane('workbench', 333.6);
    expect(ui.panes.guide).toBe(PANE_LIMITS.guide.min);
    expect(ui.panes.twin).toBe(PANE_LIMITS.twin.max);
    expect(ui.panes.workbench).toBe(334);
    expect(new LabUiState().panes).toMatchObject({ guide: 180, twin: 720, workbench: 334 });
  });

  it('starts smaller panes on a small screen, and clamps or ignores damaged saved sizes', () => {
    stubBrowser(1024, 700);
    const small = new LabUiState().panes;
    expect(small.workbench).toBe(Math.round(700 * 0.34));
    expect(small.guide).toBe(Math.round(1024 * 0.18));
    storage.set('socket-lab:panes', JSON.stringify({ guide: 99_999, twin: 'wide', views: null }));
    expect(new LabUiState().panes).toMatchObject({
      guide: PANE_LIMITS.guide.max,
      twin: small.twin,
      views: small.views,
    });
    storage.set('socket-lab:panes', '{not json');
    expect(new LabUiState().panes).toEqual(small);
  });

  it('picking another connection lets go of a row of the first; picking a row picks its connection', () => {
    stubBrowser(1440, 900);
    const ui = new LabUiState();
    ui.selectEvent(5, 'a');
    expect([ui.selectedConnectionId, ui.selectedEventIndex]).toEqual(['a', 5]);
    ui.selectedConnectionId = 'a';
    expect(ui.selectedEventIndex).toBe(5);
    ui.selectedConnectionId = 'b';
    expect([ui.selectedConnectionId, ui.selectedEventIndex]).toEqual(['b', null]);
    ui.selectEvent(7);
    ui.selectedConnectionId = 'b';
    // A row picked with no connection belongs to none: any connection pick lets it go.
    expect(ui.selectedEventIndex).toBeNull();
  });

  it('a replay view shares the pane sizes but not the selection', () => {
    stubBrowser(1440, 900);
    const live = new LabUiState();
    live.selectEvent(3, 'a');
    const replay = live.forReplay();
    expect(replay.selectedEventIndex).toBeNull();
    replay.resizePane('views', 500);
    expect(live.panes.views).toBe(500);
  });
});
