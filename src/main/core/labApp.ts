/**
 * What the lab runs once per process, whichever transport serves it: the built-in lab servers, the progress store
 * and the kept sessions. Sessions (one per window or browser tab) are made from it.
 */
import path from 'node:path';
import type { EventBatch, Transport } from '../../shared/contract';
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
}

export interface LabApp {
  labServers: LabServers;
  sessions: SessionStore;
  transcripts: TranscriptService;
  createSession(transport: Transport, sendBatch: (batch: EventBatch) => void, files: SessionFiles): Promise<LabSession>;
  stop(): Promise<void>;
}

export async function startLabApp(options: LabAppOptions): Promise<LabApp> {
  const sessions = new SessionStore({ dir: path.join(options.dataDir, 'sessions'), ...options.journal });
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
      };
      if (options.lookup) sessionOptions.lookup = options.lookup;
      const session = await createLabSession(sessionOptions);
      running.add(session);
      return {
        commands: session.commands,
        id: session.id,
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
