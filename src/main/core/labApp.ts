/**
 * What the lab runs once per process, whichever transport serves it: the built-in lab servers and
 * the progress store. Sessions (one per window or browser tab) are made from it.
 */
import type { EventBatch, Transport } from '../../shared/contract';
import { startLabServers, type LabServers, type LabServersOptions } from './labServers';
import { ProgressStore } from './progress';
import { createLabSession, type LabSession, type LabSessionOptions } from './session';

export const APP_NAME = 'Socket Lab';

export interface LabAppOptions {
  appVersion: string;
  runtime: Record<string, string>;
  /** Folder for the learner's own data (progress, the lab TLS server's certificate in tls/); Electron's userData. */
  dataDir: string;
  labServers?: LabServersOptions;
  lookup?: LabSessionOptions['lookup'];
}

export interface LabApp {
  labServers: LabServers;
  createSession(transport: Transport, sendBatch: (batch: EventBatch) => void): LabSession;
  stop(): Promise<void>;
}

export async function startLabApp(options: LabAppOptions): Promise<LabApp> {
  const labServers = await startLabServers({ dataDir: options.dataDir, ...options.labServers });
  const progress = new ProgressStore(options.dataDir);
  const sessions = new Set<LabSession>();
  return {
    labServers,
    createSession(transport, sendBatch) {
      const sessionOptions: LabSessionOptions = {
        transport,
        appName: APP_NAME,
        appVersion: options.appVersion,
        runtime: options.runtime,
        labServers,
        progress,
        sendBatch,
      };
      if (options.lookup) sessionOptions.lookup = options.lookup;
      const session = createLabSession(sessionOptions);
      sessions.add(session);
      return {
        commands: session.commands,
        dispose() {
          sessions.delete(session);
          session.dispose();
        },
      };
    },
    async stop() {
      for (const session of sessions) session.dispose();
      sessions.clear();
      await labServers.stop();
    },
  };
}
