/**
 * The built-in lab servers, started together on loopback: the HTTP stand-in for data.pr4e.org, an echo
 * server, and the SMTP-style and POP-style toy greeters. The app and `npm run lab-server` both use this.
 */
import type { LabServerInfo, LabServerKind } from '../../../shared/contract';
import { defaultContentDir, loadLabContent } from './content';
import { startLabEchoServer } from './echoServer';
import {
  checkSlowMode,
  startLabHttpServer,
  type LabHttpServer,
  type LabHttpServerOptions,
  type SlowMode,
} from './httpServer';
import { loopbackAddress } from './loopback';
import { identifyLabServer, LAB_SERVER_DESCRIPTIONS, routeToLab, type LabRoute } from './mirrors';
import { startLabPopServer } from './popServer';
import { startLabSmtpServer } from './smtpServer';
import type { RunningServer } from './socketTools';

export { defaultContentDir, etagFor, loadLabContent, LAB_FILE_PATHS, type LabContent, type LabFile } from './content';
export { startLabEchoServer } from './echoServer';
export {
  startLabHttpServer,
  type LabHttpServer,
  type LabHttpServerOptions,
  type LabHttpTimeouts,
  type SlowMode,
} from './httpServer';
export { SERVER_HEADER } from './httpResponse';
export { loopbackAddress } from './loopback';
export { hostOfAuthority, pointLinksAt, siteFor, type LabSite } from './labSites';
export {
  HTTP_MIRROR_HOSTS,
  identifyLabServer,
  LAB_SERVER_DESCRIPTIONS,
  normalizeHostName,
  routeToLab,
  type LabRoute,
} from './mirrors';
export { POP_BANNER, startLabPopServer } from './popServer';
export { MAIL_HOST, SMTP_BANNER, startLabSmtpServer } from './smtpServer';
export type { RunningServer } from './socketTools';

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
  /** One line per HTTP request, for a terminal. */
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
    starting = 'echo';
    running.push({ kind: 'echo', server: await startLabEchoServer({ host, port: ports.echo ?? 0 }) });
    starting = 'smtp';
    running.push({ kind: 'smtp', server: await startLabSmtpServer({ host, port: ports.smtp ?? 0 }) });
    starting = 'pop';
    running.push({ kind: 'pop', server: await startLabPopServer({ host, port: ports.pop ?? 0 }) });
  } catch (error) {
    // One port was taken (or refused): do not leave the others listening.
    await Promise.all(running.map((entry) => entry.server.close()));
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
    };
  });

  let stopping: Promise<void> | undefined;
  return {
    info: () =>
      infos.map((entry) => ({
        ...entry,
        mirrors: [...entry.mirrors],
        ...(entry.kind === 'http' && { slowMode: http.slowMode }),
      })),
    route: (routeHost, routePort) => routeToLab(infos, routeHost, routePort),
    identify: (address, port) => identifyLabServer(infos, address, port),
    setSlowMode: (mode) => http.setSlowMode(mode),
    stop() {
      stopping ??= Promise.all(running.map((entry) => entry.server.close())).then(() => undefined);
      return stopping;
    },
  };
}
