/**
 * One learner's session (an Electron window or a browser tab): its connections, its event stream
 * with flow control, and the lab's shared services. Both transports wrap exactly this.
 */
import type { EventBatch, HelloInfo, LabCommands, LabServerInfo, SlowMode, Transport } from '../../shared/contract';
import { ok } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { EventDelivery } from './connections/delivery';
import { ConnectionHub, type ConnectionHubOptions } from './connections/hub';
import type { ProgressStore } from './progress';

export interface LabServerDirectory {
  info(): LabServerInfo[];
  route(host: string, port: number): { host: string; port: number; answeredBy: string } | undefined;
  identify(address: string, port: number): string | undefined;
  setSlowMode(slow: SlowMode | null): void;
}

export interface LabSessionOptions {
  transport: Transport;
  appName: string;
  appVersion: string;
  runtime: Record<string, string>;
  labServers: LabServerDirectory;
  progress: ProgressStore;
  /** Delivers one batch of events to the renderer. */
  sendBatch: (batch: EventBatch) => void;
  /** For tests: a DNS lookup that never answers, or fails. */
  lookup?: ConnectionHubOptions['lookup'];
}

export interface LabSession {
  commands: LabCommands;
  dispose(): void;
}

export function createLabSession(options: LabSessionOptions): LabSession {
  // Each side only calls the other after construction, so the closures may name it before it exists.
  const delivery = new EventDelivery({
    send: options.sendBatch,
    onPressure: (paused) => (paused ? connections.pauseReading() : connections.resumeReading()),
  });
  const hubOptions: ConnectionHubOptions = {
    emit: (event) => delivery.push(event),
    route: (host, port) => options.labServers.route(host, port),
    identify: (address, port) => options.labServers.identify(address, port),
    labCertificates: () =>
      options.labServers.info().flatMap((info) => (info.certificate ? [info.certificate.sha256] : [])),
  };
  if (options.lookup) hubOptions.lookup = options.lookup;
  const connections = new ConnectionHub(hubOptions);

  const hello: HelloInfo = {
    appName: options.appName,
    version: options.appVersion,
    platform: process.platform,
    transport: options.transport,
    runtime: options.runtime,
  };

  const commands: LabCommands = {
    hello: async () => ok(hello),
    connect: async (request) =>
      connections.connect({
        host: request.host,
        port: request.port,
        route: request.route ?? 'lab',
        timeoutMs: request.timeoutMs ?? LIMITS.connectTimeoutMs,
        tls: request.tls ?? false,
      }),
    send: async (id, bytes) => connections.send(id, bytes),
    end: async (id) => connections.end(id),
    close: async (id) => connections.close(id),
    abort: async (id) => connections.abort(id),
    listConnections: async () => ok(connections.list()),
    ackEvents: async (seq) => delivery.ack(seq),
    labServers: async () => ok(options.labServers.info()),
    setSlowMode: async (slow) => {
      options.labServers.setSlowMode(slow);
      return ok(null);
    },
    getProgress: async () => ok(await options.progress.load()),
    saveProgress: async (progress) => {
      await options.progress.save(progress);
      return ok(null);
    },
  };

  return {
    commands,
    dispose() {
      connections.dispose();
      delivery.dispose();
    },
  };
}
