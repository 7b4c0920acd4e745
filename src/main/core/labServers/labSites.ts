/**
 * Which site a request to the lab HTTP server asks for, and keeping the links of the lab's pages inside the lab.
 *
 * A request names its host in an absolute-form target (`GET http://data.pr4e.org/romeo.txt`) or in its Host header.
 * - A host the lab stands in for (data.pr4e.org, www.py4e.com, www.dr-chuck.com), or none at all: the lab's files,
 *   as written. Their absolute links name those hosts, which is what the book shows, and a program that reaches the
 *   lab through `http_proxy` comes back to the lab for them anyway.
 * - The lab's own address (127.x.x.x, ::1, localhost, with its port): the same files, with every link to a host the
 *   lab stands in for pointed at that address instead, so a program started at http://127.0.0.1:8080/page1.htm
 *   follows page1's link to http://127.0.0.1:8080/page2.htm and never to the real data.pr4e.org.
 * - Any other host: a 404 that names it and says what the lab does stand in for.
 */
import { loopbackAddress } from './loopback';
import { normalizeHostName } from './mirrors';

export type LabSite =
  { kind: 'mirror'; host: string } | { kind: 'lab-address'; authority: string } | { kind: 'elsewhere'; host: string };

/** The host of `host[:port]` or `[v6]:port`, compared the way mirrors are (no case, no trailing dot). */
export function hostOfAuthority(authority: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(authority);
  if (bracketed) return (bracketed[1] as string).toLowerCase();
  return normalizeHostName(authority.replace(/:\d*$/, ''));
}

/**
 * The site a request asks for. `named` is the absolute-form target's authority, else the Host header; `mirrors` are
 * the host names the lab stands in for, the first being the one a request that names no host gets.
 */
export function siteFor(named: string | undefined, mirrors: readonly string[]): LabSite {
  if (named === undefined || named.length === 0) return { kind: 'mirror', host: mirrors[0] ?? '' };
  const host = hostOfAuthority(named);
  if (mirrors.includes(host)) return { kind: 'mirror', host };
  if (loopbackAddress(host)) return { kind: 'lab-address', authority: named.toLowerCase() };
  return { kind: 'elsewhere', host };
}

const ABSOLUTE_LINK = /(\b(?:href|src)\s*=\s*["'])https?:\/\/([A-Za-z0-9.-]+)(?::80)?(?=[/"'?#])/gi;

/**
 * An HTML page with each absolute link (http or https) to a host the lab stands in for pointed at `authority`,
 * over `scheme` (the one the page was asked for): the lab answers every one of them from the same files.
 */
export function pointLinksAt(
  html: Buffer,
  authority: string,
  mirrors: readonly string[],
  scheme: 'http' | 'https' = 'http',
): Buffer {
  const text = html.toString('latin1');
  const rewritten = text.replace(ABSOLUTE_LINK, (whole, attribute: string, host: string) =>
    mirrors.includes(normalizeHostName(host)) ? `${attribute}${scheme}://${authority}` : whole,
  );
  return rewritten === text ? html : Buffer.from(rewritten, 'latin1');
}
