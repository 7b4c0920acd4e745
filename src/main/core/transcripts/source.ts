/** What every exporter reads: a session's summary (one pass already made) and its entries, read again on demand. */
import { GapFinder, type SessionEnding, type SessionEntry, type TranscriptSummary } from '../../../shared/transcript';

export interface TranscriptSource {
  summary: TranscriptSummary;
  /** How the session ended as the store knows it: 'live' when it is saved while still running. */
  ending?: SessionEnding;
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

/**
 * Entries as read back from a journal, with every hole in a data stream said out loud: a record the reader had to
 * set aside (damaged on disk) leaves the next data event's offset past where the last one ended, and an `unsaved`
 * entry for the missing range keeps every export honest (and a .socketlab of it opens again). It says `damaged`:
 * the journal saved those bytes, so "not saved, the journal was full" would be the wrong reason.
 */
export async function* markingGaps(entries: AsyncIterable<SessionEntry>): AsyncGenerator<SessionEntry> {
  const gaps = new GapFinder();
  for await (const entry of entries) {
    const hole = gaps.holeBefore(entry);
    if (hole) yield hole;
    yield entry;
  }
}
