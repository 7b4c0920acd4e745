// A stand-in LabApi for the benchmarks that time the page alone (bench:ui's million rows, bench:timeline): an init
// script that answers the calls the screen makes at start and hands events to the page through
// `window.__benchEmit(events)`, one batch per call. Each bench's own init script (added after this one) makes the events.
/* global window */

/** Init script: `window.lab` answers hello and the lists, empty; anything else answers null. */
export function installStandInLab() {
  const ok = (value) => Promise.resolve({ ok: true, value });
  const listeners = new Set();
  let seq = 0;
  window.__benchEmit = (events) => {
    seq += 1;
    for (const listener of listeners) listener({ seq, events });
  };
  const known = {
    hello: () =>
      ok({
        appName: 'Socket Lab',
        version: 'bench',
        platform: 'bench',
        transport: 'web',
        runtime: {},
        sessionId: null,
      }),
    labServers: () => ok([]),
    listConnections: () => ok([]),
    listSessions: () => ok([]),
    recoverableSessions: () => ok([]),
    getProgress: () => ok({ completed: [], current: null, predictions: {} }),
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  window.lab = new Proxy(known, { get: (target, name) => target[name] ?? (() => ok(null)) });
}
