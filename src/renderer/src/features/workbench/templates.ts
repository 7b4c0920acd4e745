/**
 * The chapter's requests, ready to send. Text uses the composer's escapes (\r \n), so what the learner sees in
 * the box is exactly what goes on the wire. `server` names the lab server that answers it, so the workbench can
 * offer that server's host and port (from LabServerInfo.mirrors).
 */
import type { LabServerInfo, LabServerKind } from '../../../../shared/contract';
import { portFromDigits } from '../../../../shared/ports';

export interface MessageTemplate {
  id: string;
  /** What the learner picks from the list. */
  label: string;
  /** Where it comes from in the chapter, in one line. */
  source: string;
  text: string;
  server: LabServerKind;
}

export const TEMPLATES: readonly MessageTemplate[] = [
  {
    id: 'socket1-romeo',
    label: 'socket1.py: GET romeo.txt (HTTP/1.0, \\r\\n\\r\\n)',
    source: "The book's socket1.py sends this, then loops recv(512) until b''.",
    text: 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'slides-page1',
    label: 'Slides: GET page1.htm ending in \\n\\n',
    source: 'The slides type this into telnet; note the bare \\n\\n where the book sends \\r\\n\\r\\n.',
    text: 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\n\\n',
    server: 'http',
  },
  {
    id: 'urljpeg-cover3',
    label: 'urljpeg.py: GET cover3.jpg (an image, in bytes)',
    source: "urljpeg.py asks for the cover image and prints each recv(5120)'s size.",
    text: 'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'http11-host',
    label: 'HTTP/1.1 with a Host header (keeps the connection open)',
    source: 'HTTP/1.1 needs a Host header; the server keeps the connection open for the next request.',
    text: 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'urllib1-romeo',
    label: 'urllib1.py: the request urlopen() sends (HTTP/1.1, Connection: close)',
    source:
      "urllib.request.urlopen('http://data.pr4e.org/romeo.txt') sends these headers, then reads the answer for you.",
    text: 'GET /romeo.txt HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\nHost: data.pr4e.org\\r\\nUser-Agent: Python-urllib/3.11\\r\\nConnection: close\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'head-romeo',
    label: 'HEAD romeo.txt (headers only, no body)',
    source: 'HEAD asks for the headers a GET would get, without the body.',
    text: 'HEAD http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'not-found',
    label: 'A page that does not exist (404)',
    source: 'Ask for a file the server does not have and read its status line.',
    text: 'GET http://data.pr4e.org/no-such-page.htm HTTP/1.0\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'intro-short',
    label: 'GET intro-short.txt (read its headers)',
    source:
      "The course's graded request-response exercise reads these headers off the real data.pr4e.org. The lab serves its own copy, whose Last-Modified, ETag and Content-Length differ: for the graded values, switch the route to Internet (you need a network).",
    text: 'GET http://data.pr4e.org/intro-short.txt HTTP/1.0\\r\\n\\r\\n',
    server: 'http',
  },
  {
    id: 'https-romeo',
    label: 'HTTPS (port 443): GET romeo.txt inside TLS',
    source:
      'The same request as socket1.py, to port 443 with TLS on: the lab does the TLS handshake first, then your bytes travel encrypted inside it, as Python’s ssl wrap_socket() does.',
    text: 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n',
    server: 'https',
  },
  {
    id: 'echo-hello',
    label: 'Echo: hello\\r\\n',
    source: 'An echo server sends back every byte, in order: TCP as a reliable pipe.',
    text: 'hello\\r\\n',
    server: 'echo',
  },
  {
    id: 'smtp-helo',
    label: 'SMTP (port 25): HELO',
    source: 'A mail server greets you with 220; HELO introduces your side.',
    text: 'HELO learner.lab.test\\r\\n',
    server: 'smtp',
  },
  {
    id: 'pop-user',
    label: 'POP (port 110): USER',
    source: 'A POP server greets you with +OK; USER names the mailbox.',
    text: 'USER learner\\r\\n',
    server: 'pop',
  },
];

/** Where a template's message goes: the first internet host:port its lab server stands in for. */
export function templateTarget(
  template: MessageTemplate,
  servers: readonly LabServerInfo[],
): { host: string; port: string } | null {
  const server = servers.find((entry) => entry.kind === template.server);
  const mirror = server?.mirrors[0];
  if (!mirror) return null;
  const colon = mirror.lastIndexOf(':');
  if (colon <= 0) return null;
  return { host: mirror.slice(0, colon), port: mirror.slice(colon + 1) };
}

/**
 * The port box holds text so a learner can type "0x50" and read main's refusal in plain words. Digits go to
 * main as a number; anything else goes as typed, for main to refuse.
 */
export function portForRequest(text: string): number | string {
  return portFromDigits(text) ?? text;
}

/** Does a connection go to this host and port, as the learner typed them (host names ignore case and a final dot)? */
export function sameTarget(
  connection: { host: string; port: number },
  target: { host: string; port: string },
): boolean {
  const name = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');
  return name(connection.host) === name(target.host) && connection.port === portFromDigits(target.port);
}
