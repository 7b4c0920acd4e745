/** The session journal (every session written to disk as it happens) and the sessions folder that keeps them. */
export { SessionJournal, nodeJournalFs } from './writer';
export type { JournalFile, JournalFs } from './writer';
export { readJournal, readJournalRecords, newReadStats } from './reader';
export type { FullReadStats, JournalRecord } from './reader';
export { SessionStore } from './store';
export type { LiveSession, ReplayPage } from './store';
export { StorageError, storageError } from './storage';
