/** What every exporter reads: a session's summary (one pass already made) and its entries, read again on demand. */
import type { SessionEntry, TranscriptSummary } from '../../../shared/transcript';

export interface TranscriptSource {
  summary: TranscriptSummary;
  /** The entries in order. Each call reads them again from the start (from the journal on disk), so a
   *  1 GB session is never held in memory; an exporter may make more than one pass. */
  entries(): AsyncIterable<SessionEntry>;
}

/** An exporter turns a session into a file's bytes, piece by piece (streamed to a file or a download). */
export type Exporter = (source: TranscriptSource) => AsyncIterable<Uint8Array>;

/** A source over entries already in memory (tests, and small sessions). */
export function memorySource(entries: readonly SessionEntry[], summary: TranscriptSummary): TranscriptSource {
  return {
    summary,
    async *entries() {
      yield* entries;
    },
  };
}
