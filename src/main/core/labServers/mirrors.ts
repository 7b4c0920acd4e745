/**
 * Which internet host:port each lab server stands in for, and the routing that follows from it: on route
 * `lab`, a connection to a mirrored host:port goes to the lab server on loopback instead.
 *
 * The made-up names end in `.test`, a top-level name RFC 6761 keeps for testing: it never reaches a real
 * machine, so on route `internet` those names simply fail to resolve.
 */
import type { LabServerInfo, LabServerKind } from '../../../shared/contract';

export interface MirroredHost {
  host: string;
  port: number;
}

export interface LabServerDescription {
  kind: LabServerKind;
  name: string;
  mirrors: readonly MirroredHost[];
}

export const LAB_SERVER_DESCRIPTIONS: readonly LabServerDescription[] = [
  {
    kind: 'http',
    name: 'Lab HTTP server (stands in for data.pr4e.org)',
    mirrors: [
      { host: 'data.pr4e.org', port: 80 },
      { host: 'www.py4e.com', port: 80 },
      { host: 'www.dr-chuck.com', port: 80 },
    ],
  },
  {
    kind: 'https',
    name: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
    mirrors: [
      { host: 'data.pr4e.org', port: 443 },
      { host: 'www.py4e.com', port: 443 },
    ],
  },
  {
    kind: 'echo',
    name: 'Lab echo server (sends back every byte it gets)',
    mirrors: [{ host: 'echo.lab.test', port: 7 }],
  },
  {
    kind: 'smtp',
    name: 'Lab SMTP-style greeter (a toy: mail goes nowhere)',
    mirrors: [{ host: 'mail.lab.test', port: 25 }],
  },
  {
    kind: 'pop',
    name: 'Lab POP-style greeter (a toy mailbox of sample messages)',
    mirrors: [{ host: 'mail.lab.test', port: 110 }],
  },
];

/** The hosts the lab HTTP server answers for, data.pr4e.org first (a request that names no host gets it). */
export const HTTP_MIRROR_HOSTS: readonly string[] = (
  LAB_SERVER_DESCRIPTIONS.find((entry) => entry.kind === 'http')?.mirrors ?? []
).map((mirror) => mirror.host);

/** Host names compare without case and without a trailing dot (`DATA.PR4E.ORG.` is `data.pr4e.org`). */
export function normalizeHostName(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export interface LabRoute {
  host: string;
  port: number;
  answeredBy: string;
}

/** Where a lab-route connection to host:port goes, given where each lab server listens. */
export function routeToLab(infos: readonly LabServerInfo[], host: string, port: number): LabRoute | undefined {
  const wanted = normalizeHostName(host);
  for (const description of LAB_SERVER_DESCRIPTIONS) {
    const mirror = description.mirrors.find((entry) => entry.host === wanted && entry.port === port);
    const info = infos.find((entry) => entry.kind === description.kind);
    if (mirror && info) {
      const answeredBy =
        description.kind === 'http'
          ? `Lab HTTP server (stands in for ${mirror.host})`
          : description.kind === 'https'
            ? `Lab HTTPS server (stands in for ${mirror.host}:${mirror.port})`
            : description.name;
      return { host: info.host, port: info.port, answeredBy };
    }
  }
  return undefined;
}

/** The lab server listening at exactly this address and port, if any, in the learner's words. */
export function identifyLabServer(infos: readonly LabServerInfo[], address: string, port: number): string | undefined {
  return infos.find((info) => info.host === address && info.port === port)?.name;
}
