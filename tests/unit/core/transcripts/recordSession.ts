/**
 * Test helper: a real session on real loopback sockets, recorded as the journal would record it
 * (a `start` entry, then one `event` entry per LabEvent from a real ConnectionHub).
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
  const hub = new ConnectionHub({
    route: noRoute,
    ...options,
    emit: (event: LabEvent) => {
      entries.push({ kind: 'event', t: event.t, event });
      log.push(event);
    },
  });
  return {
    hub,
    log,
    entries,
    summary: () => summarize(entries),
    source: () => memorySource([...entries], summarize(entries)),
  };
}
