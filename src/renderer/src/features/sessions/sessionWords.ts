/** How kept sessions are named on screen. */
import type { SessionListing } from '../../../../shared/transcript';
import { formatBytes } from '../../lib/eventWords';

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

export function sessionDate(at: number): string {
  return DATE.format(new Date(at));
}

export function sessionTime(at: number): string {
  return TIME.format(new Date(at));
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** "3 connections, 1.2 MB" */
export function sessionSize(session: SessionListing): string {
  return `${plural(session.connections, 'connection')}, ${formatBytes(session.bytes)}`;
}

export function sessionStatus(session: SessionListing, liveId: string | null): string {
  switch (session.ending) {
    case 'live':
      return session.id === liveId ? 'this window, running now' : 'running now, in another window';
    case 'clean':
      return 'ended normally';
    case 'recovered':
      return session.corruptRecords > 0
        ? `recovered after the lab stopped unexpectedly (${plural(session.corruptRecords, 'damaged record')} set aside)`
        : 'recovered after the lab stopped unexpectedly';
    case 'imported':
      return `opened from ${session.importedFrom ?? 'a file'}`;
  }
}
