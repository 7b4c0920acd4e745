/**
 * Test helper: a real session on real loopback sockets, recorded as the journal would record it
 * (a `start` entry, then one `event` entry per LabEvent from a real ConnectionHub; once the journal is made full,
 * data and wire bytes as `unsaved` entries, as the journal writer keeps them past its cap).
 */
import type { LabEvent } from '../../../../src/shared/contract';
import { summarize, type SessionEntry, type TranscriptSummary } from '../../../../src/shared/transcript';
import { memorySource, type TranscriptSource } from '../../../../src/main/core/transcripts/source';
import { EventLog, noRoute } from '../connections/loopback';
import { ConnectionHub, type ConnectionHubOptions } from '../../../../src/main/core/connections/hub';

export interface RecordedSession {
  hub: ConnectionHub;
  log: EventLog;
  entries: SessionEntry[];
  /** From here on the journal is full: a `journal-full` entry, then data and wire events kept as `unsaved`. */
  fillJournal(limitBytes: number): void;
  /** The summary and a source for an exporter, from the entries so far. */
  source(): TranscriptSource;
  summary(): TranscriptSummary;
}

export const TEST_STARTED_AT = Date.UTC(2026, 10, 30, 14, 2, 0);

export function recordSession(
  options: Partial<ConnectionHubOptions> = {},
  startedAt = TEST_STARTED_AT,
): RecordedSession {
  const entries: SessionEntry[] = [
    {
      kind: 'start',
      t: 0,
      sessionId: 'test-session',
      startedAt,
      appVersion: '0.1.0',
      transport: 'web',
      platform: process.platform,
    },
  ];
  const log = new EventLog();
  let full = false;
  const hub = new ConnectionHub({
    route: noRoute,
    ...options,
    emit: (event: LabEvent) => {
      if (full && (event.type === 'data' || event.type === 'wire')) {
        const { id, dir, offset, bytes } = event;
        const unsaved: SessionEntry = { kind: 'unsaved', t: event.t, id, dir, offset, length: bytes.byteLength };
        if (event.type === 'wire') unsaved.wire = true;
        entries.push(unsaved);
      } else {
        entries.push({ kind: 'event', t: event.t, event });
      }
      log.push(event);
    },
  });
  return {
    hub,
    log,
    entries,
    fillJournal(limitBytes) {
      full = true;
      entries.push({ kind: 'journal-full', t: entries.at(-1)?.t ?? 0, limitBytes });
    },
    summary: () => summarize(entries),
    source: () => memorySource([...entries], summarize(entries)),
  };
}
