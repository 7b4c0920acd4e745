/**
 * The built-in lab servers, started together on loopback: the HTTP stand-in for data.pr4e.org, TLS in front of it
 * for data.pr4e.org:443, an echo server, and the SMTP-style and POP-style toy greeters. The app and
 * `npm run lab-server` both use this.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LabServerInfo, LabServerKind, SlowMode } from '../../../shared/contract';
import { defaultContentDir, loadLabContent } from './content';
import { startLabEchoServer } from './echoServer';
import { checkSlowMode, startLabHttpServer, type LabHttpServer, type LabHttpServerOptions } from './httpServer';
import { loadLabCertificate, type LabCertificate, type LabCertificateOptions } from './labCertificate';
import { loopbackAddress } from './loopback';
import { identifyLabServer, LAB_SERVER_DESCRIPTIONS, routeToLab, type LabRoute } from './mirrors';
import { startLabPopServer } from './popServer';
import { startLabSmtpServer } from './smtpServer';
import type { RunningServer } from './socketTools';
import { startLabTlsServer, type LabTlsServerOptions } from './tlsServer';

/** The data folder's subfolder that keeps the lab TLS server's certificate and key. */
export const TLS_FOLDER = 'tls';

export interface LabServersOptions {
  /** Default '127.0.0.1'. Loopback only (127.0.0.0/8 or ::1); anything else is refused. */
  host?: string;
  /** Default 0 for each: a free port. */
  ports?: Partial<Record<LabServerKind, number>>;
  /** Folder with romeo.txt, cover3.jpg, ...; default `defaultContentDir()`. */
  contentDir?: string;
  /** The lab HTTP server's waits, slow mode, places and clock (see LabHttpServerOptions). */
  http?: Pick<
    LabHttpServerOptions,
    'idleTimeoutMs' | 'firstLineTimeoutMs' | 'headTimeoutMs' | 'slotGraceMs' | 'slow' | 'maxConnections' | 'now'
  >;
  /**
   * The data folder: the lab TLS server's certificate is kept in its `tls/` subfolder, made there on first start and
   * reused after. Default: a fresh temporary folder, removed by stop() (a new certificate every start).
   */
  dataDir?: string;
  /** The lab TLS server's waits, and the certificate's clock (see LabTlsServerOptions, LabCertificateOptions). */
  tls?: Pick<LabTlsServerOptions, 'firstByteTimeoutMs' | 'handshakeTimeoutMs'> & LabCertificateOptions;
  /** One line per HTTP request (and per TLS connection that never got as far as HTTP), for a terminal. */
  log?: (line: string) => void;
}

export interface LabServers {
  /** Kind, name in the learner's words, host, port, and the host:port each stands in for. */
  info(): LabServerInfo[];
  /**
   * Where a connection for host:port on route 'lab' should go, or undefined if the lab does not mirror it.
   * Host compare is case-insensitive, ignores a trailing dot.
   */
  route(host: string, port: number): LabRoute | undefined;
  /** Which lab server listens at this exact address and port, if one does. */
  identify(address: string, port: number): string | undefined;
  setSlowMode(slow: SlowMode | null): void;
  /** The lab TLS server's certificate: where it is kept, and whether it was made, reused or renewed this start. */
  readonly certificate: LabCertificate;
  /** Closes the listeners and every open connection; safe to call more than once. */
  stop(): Promise<void>;
}

/** Which lab server could not start, and the system's reason (`code`: EADDRINUSE, EACCES, ...). */
export class LabServerStartError extends Error {
  readonly kind: LabServerKind;
  readonly host: string;
  readonly port: number;
  readonly code: string | undefined;

  constructor(kind: LabServerKind, host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const name = LAB_SERVER_DESCRIPTIONS.find((entry) => entry.kind === kind)?.name ?? kind;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (by another program, or another lab server)`
        : code === 'EACCES'
          ? `this user may not listen on port ${port} (ports below 1024 need extra rights)`
          : String((cause as Error | undefined)?.message ?? cause);
    super(`${name} could not start: ${reason}.`, { cause });
    this.name = 'LabServerStartError';
    this.kind = kind;
    this.host = host;
    this.port = port;
    this.code = code;
  }
}

export async function startLabServers(options: LabServersOptions = {}): Promise<LabServers> {
  const requestedHost = options.host ?? '127.0.0.1';
  const host = loopbackAddress(requestedHost);
  if (!host) {
    throw new Error(
      `The lab servers listen on this computer's loopback address only (127.0.0.1 or ::1), not "${requestedHost}".`,
    );
  }
  const slow = checkSlowMode(options.http?.slow ?? null);
  const content = await loadLabContent(options.contentDir ?? defaultContentDir());
  const ports = options.ports ?? {};
  const running: Array<{ kind: LabServerKind; server: RunningServer }> = [];
  let temporaryDir: string | null = null;
  const removeTemporary = async (): Promise<void> => {
    if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
  };
  const certificateOptions: LabCertificateOptions = {};
  if (options.tls?.now) certificateOptions.now = options.tls.now;
  const inTemporaryFolder = async (): Promise<LabCertificate> => {
    temporaryDir = await mkdtemp(path.join(os.tmpdir(), 'socket-lab-'));
    return loadLabCertificate(path.join(temporaryDir, TLS_FOLDER), certificateOptions);
  };
  let certificate: LabCertificate;
  try {
    if (options.dataDir === undefined) {
      certificate = await inTemporaryFolder();
    } else {
      try {
        certificate = await loadLabCertificate(path.join(options.dataDir, TLS_FOLDER), certificateOptions);
      } catch (error) {
        // A data folder that cannot keep it must not keep the whole lab from starting: this run gets its own.
        certificate = await inTemporaryFolder();
        certificate.notKept = `${(error as Error).message} A new one was made for this run only.`;
        options.log?.(certificate.notKept);
      }
    }
  } catch (error) {
    await removeTemporary();
    throw error;
  }

  let starting: LabServerKind = 'http';
  let http: LabHttpServer;
  try {
    const httpOptions: LabHttpServerOptions = { host, port: ports.http ?? 0, content, slow };
    for (const [name, value] of Object.entries(options.http ?? {})) {
      // Only the options that were given: an undefined one must not hide the server's default.
      if (value !== undefined && name !== 'slow') Object.assign(httpOptions, { [name]: value });
    }
    if (options.log) httpOptions.log = options.log;
    http = await startLabHttpServer(httpOptions);
    running.push({ kind: 'http', server: http });
    starting = 'https';
    const tlsOptions: LabTlsServerOptions = { host, port: ports.https ?? 0, certificate, http };
    if (options.tls?.firstByteTimeoutMs !== undefined) tlsOptions.firstByteTimeoutMs = options.tls.firstByteTimeoutMs;
    if (options.tls?.handshakeTimeoutMs !== undefined) tlsOptions.handshakeTimeoutMs = options.tls.handshakeTimeoutMs;
    if (options.log) tlsOptions.log = options.log;
    running.push({ kind: 'https', server: await startLabTlsServer(tlsOptions) });
    starting = 'echo';
    running.push({ kind: 'echo', server: await startLabEchoServer({ host, port: ports.echo ?? 0 }) });
    starting = 'smtp';
    running.push({ kind: 'smtp', server: await startLabSmtpServer({ host, port: ports.smtp ?? 0 }) });
    starting = 'pop';
    running.push({ kind: 'pop', server: await startLabPopServer({ host, port: ports.pop ?? 0 }) });
  } catch (error) {
    // One port was taken (or refused): do not leave the others listening.
    await Promise.all(running.map((entry) => entry.server.close()));
    await removeTemporary();
    throw new LabServerStartError(starting, host, ports[starting] ?? 0, error);
  }

  const infos: LabServerInfo[] = running.map(({ kind, server }) => {
    const description = LAB_SERVER_DESCRIPTIONS.find((entry) => entry.kind === kind);
    return {
      kind,
      name: description?.name ?? kind,
      host: server.host,
      port: server.port,
      mirrors: (description?.mirrors ?? []).map((mirror) => `${mirror.host}:${mirror.port}`),
      ...(kind === 'https' && { certificate: certificate.summary }),
    };
  });

  let stopping: Promise<void> | undefined;
  return {
    info: () =>
      infos.map((entry) => ({
        ...entry,
        mirrors: [...entry.mirrors],
        ...(entry.kind === 'http' && { slowMode: http.slowMode }),
        ...(entry.certificate && {
          certificate: { ...entry.certificate, altNames: [...entry.certificate.altNames] },
        }),
      })),
    route: (routeHost, routePort) => routeToLab(infos, routeHost, routePort),
    identify: (address, port) => identifyLabServer(infos, address, port),
    setSlowMode: (mode) => http.setSlowMode(mode),
    certificate,
    stop() {
      stopping ??= Promise.all(running.map((entry) => entry.server.close())).then(removeTemporary);
      return stopping;
    },
  };
}
