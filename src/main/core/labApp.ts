/**
 * What the lab runs once per process, whichever transport serves it: the built-in lab servers, the progress store
 * and the kept sessions. Sessions (one per window or browser tab) are made from it.
 */
import path from 'node:path';
import type { EventBatch, Transport } from '../../shared/contract';
import { fail, ok, type Result } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { SessionStore } from './journal';
import { startLabServers, type LabServers, type LabServersOptions } from './labServers';
import { ProgressStore } from './progress';
import { createLabSession, type LabSession, type LabSessionOptions, type SessionFiles } from './session';
import { exportPcapng } from './transcripts/pcapng';
import { exportPython } from './transcripts/python';
import { TranscriptService } from './transcripts/service';
import { exportSocketlab } from './transcripts/socketlab';
import { readSocketlab } from './transcripts/socketlabReader';
import { exportText } from './transcripts/text';

export const APP_NAME = 'Socket Lab';

export interface LabAppOptions {
  appVersion: string;
  runtime: Record<string, string>;
  /** Folder for the learner's own data (progress, sessions, the lab TLS server's certificate in tls/); Electron's
   *  userData. */
  dataDir: string;
  labServers?: LabServersOptions;
  lookup?: LabSessionOptions['lookup'];
  /** For tests: smaller journal caps. */
  journal?: { maxSessionBytes?: number; maxTotalBytes?: number };
  /** Connections every session holds together; default LIMITS.maxConnectionsInAll. */
  maxConnectionsInAll?: number;
}

export interface LabApp {
  labServers: LabServers;
  sessions: SessionStore;
  transcripts: TranscriptService;
  createSession(transport: Transport, sendBatch: (batch: EventBatch) => void, files: SessionFiles): Promise<LabSession>;
  stop(): Promise<void>;
}

export async function startLabApp(options: LabAppOptions): Promise<LabApp> {
  const sessionsDir = path.join(options.dataDir, 'sessions');
  const sessions = new SessionStore({ dir: sessionsDir, ...options.journal });
  // Sessions a crash left behind are found now, before this run's own sessions start.
  await sessions.init();
  const labServers = await startLabServers({ dataDir: options.dataDir, ...options.labServers });
  const progress = new ProgressStore(options.dataDir);
  const transcripts = new TranscriptService(
    sessions,
    { socketlab: exportSocketlab, txt: exportText, pcapng: exportPcapng, py: exportPython },
    (input, onEntry) => readSocketlab(input, onEntry),
  );
  const running = new Set<LabSession>();
  const maxInAll = options.maxConnectionsInAll ?? LIMITS.maxConnectionsInAll;
  // Each window or tab has its own cap, but they are not counted: this one counts every socket the lab holds.
  const connectAllowed = (): Result<null> => {
    let held = 0;
    for (const session of running) held += session.connectionCount();
    if (held < maxInAll) return ok(null);
    return fail(
      'TOO_MANY_CONNECTIONS',
      `The lab holds ${maxInAll} connections across all its tabs and windows, the most it holds at once.`,
      'Close connections you no longer need, here or in another tab of the lab (Clear finished counts too), then connect again.',
    );
  };
  return {
    labServers,
    sessions,
    transcripts,
    async createSession(transport, sendBatch, files) {
      const sessionOptions: LabSessionOptions = {
        transport,
        appName: APP_NAME,
        appVersion: options.appVersion,
        runtime: options.runtime,
        labServers,
        progress,
        sessions,
        transcripts,
        files,
        sendBatch,
        connectAllowed,
        journalDir: sessionsDir,
      };
      if (options.lookup) sessionOptions.lookup = options.lookup;
      const session = await createLabSession(sessionOptions);
      running.add(session);
      return {
        commands: session.commands,
        id: session.id,
        connectionCount: () => session.connectionCount(),
        dispose() {
          running.delete(session);
          return session.dispose();
        },
      };
    },
    async stop() {
      await Promise.all([...running].map((session) => session.dispose()));
      running.clear();
      await labServers.stop();
    },
  };
}
