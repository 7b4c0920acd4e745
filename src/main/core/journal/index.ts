/** The session journal (every session written to disk as it happens) and the sessions folder that keeps them. */
export { SessionJournal, nodeJournalFs } from './writer';
export type { JournalFile, JournalFs, SessionJournalOptions } from './writer';
export { readJournal, readJournalRecords, newReadStats } from './reader';
export type { FullReadStats, JournalHeaderState, JournalReadStats, JournalRecord, ReadJournalOptions } from './reader';
export { SessionStore, MAX_PAGE_ENTRIES } from './store';
export type { LiveSession, LiveSessionHooks, ReplayPage, SessionStoreOptions } from './store';
export { StorageError, storageError } from './storage';
