/**
 * Saving and opening transcripts, for every transport: an export streams from the journal on disk (never from the
 * renderer's window of bytes), and a transcript file is read as it arrives and kept as a new session.
 */
import type { LabError, Result } from '../../../shared/errors';
import { fail, ok } from '../../../shared/errors';
import type { ExportFormat, SessionEntry, SessionId, SessionListing } from '../../../shared/transcript';
import type { SessionStore } from '../journal';
import { AsyncQueue } from './asyncQueue';
import { exportFileName, type ExporterTable } from './exporters';
import type { SocketlabFileInfo } from './socketlabReader';
import { markingGaps, type TranscriptSource } from './source';

export type TranscriptReader = (
  input: AsyncIterable<Uint8Array>,
  onEntry: (entry: SessionEntry) => void | Promise<void>,
) => Promise<Result<SocketlabFileInfo>>;

export interface ExportedSession {
  fileName: string;
  /** The file's bytes, read from the journal as they are taken. */
  chunks: AsyncIterable<Uint8Array>;
}

function unknownSession(): Result<never> {
  return fail(
    'NOT_FOUND',
    'That session is not kept any more: it may have been deleted, or removed to make room.',
    'Pick a session from the sessions list.',
  );
}

class ImportStopped extends Error {
  constructor(readonly error: LabError) {
    super(error.message);
  }
}

export class TranscriptService {
  readonly #store: SessionStore;
  readonly #exporters: ExporterTable;
  readonly #read: TranscriptReader;

  constructor(store: SessionStore, exporters: ExporterTable, read: TranscriptReader) {
    this.#store = store;
    this.#exporters = exporters;
    this.#read = read;
  }

  async fileName(id: SessionId, format: ExportFormat): Promise<Result<string>> {
    const listing = (await this.#store.list()).find((session) => session.id === id);
    return listing ? ok(exportFileName(listing, format)) : unknownSession();
  }

  async export(id: SessionId, format: ExportFormat): Promise<Result<ExportedSession>> {
    const kept = await this.#store.source(id);
    if (!kept) return unknownSession();
    const source: TranscriptSource = { ...kept, entries: () => markingGaps(kept.entries()) };
    return ok({ fileName: exportFileName(source.summary, format), chunks: this.#exporters[format](source) });
  }

  /** Reads a transcript file and keeps it as a new session; a bad file leaves nothing behind and changes nothing. */
  async importFile(fileName: string, input: AsyncIterable<Uint8Array>): Promise<Result<SessionListing>> {
    const entries = new AsyncQueue<SessionEntry>();
    let storeFailed: LabError | null = null;
    const importing = this.#store.import(fileName, entries).then((result) => {
      // The store gave up (the disk): stop the reader at its next entry instead of reading the rest for nothing.
      if (!result.ok) {
        storeFailed = result.error;
        entries.fail(new ImportStopped(result.error));
      }
      return result;
    });
    const read = await this.#read(input, async (entry) => {
      if (storeFailed) throw new ImportStopped(storeFailed);
      await entries.push(entry);
    });
    if (read.ok) entries.end();
    else entries.fail(new ImportStopped(read.error));
    const imported = await importing;
    if (!read.ok) return imported.ok ? read : imported;
    return imported;
  }
}
