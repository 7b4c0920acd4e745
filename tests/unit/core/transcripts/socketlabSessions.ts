/**
 * Test fixtures for the transcript exporters: random valid sessions (fast-check), TLS connections among them (wire
 * bytes that are TLS records or not, a tls event with any certificate, unsaved wire bytes), and helpers to export a
 * source to bytes and read `.socketlab` bytes back in chunks of any size.
 */
import fc from 'fast-check';
import type {
  ConnectionId,
  Endpoint,
  LabEvent,
  LabProgress,
  Route,
  SlowMode,
  TlsCertificateInfo,
  TlsSessionInfo,
} from '../../../../src/shared/contract';
import { ERROR_CODES } from '../../../../src/shared/errors';
import { TlsRecordSplitter } from '../../../../src/shared/tlsRecords';
import { summarize, type SessionEntry, type TranscriptSummary } from '../../../../src/shared/transcript';
import { memorySource, type Exporter, type TranscriptSource } from '../../../../src/main/core/transcripts/source';
import {
  readSocketlab,
  type SocketlabFileInfo,
  type SocketlabReadOptions,
} from '../../../../src/main/core/transcripts/socketlabReader';
import type { Result } from '../../../../src/shared/errors';

/** The seed every property test here uses, unless FC_SEED says otherwise; fast-check prints it on failure. */
export const FC_SEED = Number(process.env.FC_SEED ?? 20261201);

// ---------------------------------------------------------------------------------------------------------------
// Random sessions: a list of steps, played into entries that obey every rule a real session does.

/** Characters that break literals, comments, lines and terminals, so every generated text has a fair chance of them. */
const NASTY = [
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\u0000',
  '\u001b[31m',
  '#',
  '{',
  '}',
  '$',
  '`',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udc00',
  '\u00e9',
  '\u{1f600}',
  ' ',
  'a',
  'Z',
  '0',
  '%s',
  '\\x41',
  '\\u0041',
];
const nastyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...NASTY), maxLength: Math.max(1, Math.floor(maxLength / 3)) });

const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: nastyText(maxLength) },
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    // Lone surrogates and controls too: JSON carries them, so the file must.
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength }),
  );
const someText = (maxLength: number): fc.Arbitrary<string> =>
  anyText(maxLength).filter((text) => text.length >= 1 && text.length <= maxLength);

const hostArb = fc.oneof(
  fc.constantFrom('data.pr4e.org', '127.0.0.1', '::1', 'echo.lab.test', 'localhost', 'DATA.PR4E.ORG.'),
  someText(60),
);
const addressArb = fc.oneof(fc.constantFrom('127.0.0.1', '::1', '93.184.216.34', '2606:2800:220:1::'), someText(40));
const portArb = fc.integer({ min: 1, max: 65535 });
const routeArb = fc.constantFrom<Route>('lab', 'internet');
const endpointArb: fc.Arbitrary<Endpoint> = fc.record({
  address: addressArb,
  port: portArb,
  family: fc.constantFrom<Endpoint['family']>('IPv4', 'IPv6'),
});
const dtArb = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 5_000, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 100 }),
);
const bytesArb = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 3000 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('GET /romeo.txt HTTP/1.0\r\n\r\n', 'h\u00e9llo \u2603\n')
      .map((s) => new TextEncoder().encode(s)),
  },
);
const stepIdArb = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const progressArb: fc.Arbitrary<LabProgress> = fc.record({
  completed: fc.uniqueArray(stepIdArb, { maxLength: 6 }),
  current: fc.option(stepIdArb, { nil: null }),
  predictions: fc.dictionary(stepIdArb, anyText(50), { maxKeys: 4 }),
});
const slowArb: fc.Arbitrary<SlowMode | null> = fc.option(
  fc.record({
    bytesPerSecond: fc.integer({ min: 1, max: 100 * 1024 * 1024 }),
    writeSize: fc.integer({ min: 1, max: 64 * 1024 }),
  }),
  { nil: null },
);

// TLS: wire bytes that are records (handshake messages, alerts, application data, cut anywhere) or anything else.
const handshakeMessageArb = fc
  .record({ type: fc.constantFrom(1, 2, 4, 8, 11, 15, 20, 99), body: fc.uint8Array({ maxLength: 40 }) })
  .map(({ type, body }) => [type, 0, body.length >> 8, body.length & 0xff, ...body]);
const recordArb = fc
  .record({
    type: fc.constantFrom(20, 21, 22, 23, 24),
    version: fc.constantFrom(0x0301, 0x0303, 0x0304),
    payload: fc.oneof(
      fc.array(handshakeMessageArb, { minLength: 1, maxLength: 3 }).map((messages) => messages.flat()),
      fc.tuple(fc.constantFrom(1, 2, 7), fc.constantFrom(0, 10, 40, 48, 123)).map((alert) => [...alert]),
      fc.uint8Array({ maxLength: 60 }).map((bytes) => [...bytes]),
    ),
  })
  .map(({ type, version, payload }) => [
    type,
    version >> 8,
    version & 0xff,
    payload.length >> 8,
    payload.length & 0xff,
    ...payload,
  ]);
const wireBytesArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.array(recordArb, { minLength: 1, maxLength: 4 }), fc.nat()).map(([records, cut]) => {
      const bytes = Uint8Array.from(records.flat());
      // Sometimes a record is cut between two reads of the socket: the next wire step carries on with it.
      return cut % 3 === 0 ? bytes.subarray(0, 1 + (cut % bytes.length)) : bytes;
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }) },
);
const hexPair = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).toUpperCase().padStart(2, '0'));
const tokenArb = fc.oneof(
  fc.constantFrom('TLSv1.3', 'TLSv1.2', 'TLS_AES_256_GCM_SHA384', 'ECDHE-RSA-AES128-GCM-SHA256', 'http/1.1'),
  fc.stringMatching(/^[!-~]{1,30}$/),
);
const certificateTimeArb = fc.oneof(
  fc
    .date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom('Dec  1 08:00:00 2026 GMT', 'Jan 31 23:59:59 2049 GMT', 'Feb 29 00:00:00.5 2028'),
);
const certificateArb: fc.Arbitrary<TlsCertificateInfo> = fc
  .record({
    subject: anyText(80),
    issuer: anyText(80),
    validFrom: certificateTimeArb,
    validTo: certificateTimeArb,
    sha256: fc.array(hexPair, { minLength: 32, maxLength: 32 }).map((pairs) => pairs.join(':')),
    altNames: fc.array(someText(40), { maxLength: 4 }),
    serialNumber: fc.stringMatching(/^-?[0-9A-F]{1,40}$/),
    selfSigned: fc.boolean(),
    publicKey: fc.option(someText(20), { nil: null }),
  })
  .map(({ publicKey, ...certificate }) => (publicKey === null ? certificate : { ...certificate, publicKey }));
const tlsInfoArb: fc.Arbitrary<TlsSessionInfo> = fc
  .record({
    protocol: tokenArb,
    cipher: tokenArb,
    cipherOpenSsl: tokenArb,
    alpn: fc.option(tokenArb, { nil: null }),
    serverName: fc.option(someText(60), { nil: null }),
    certificate: fc.option(certificateArb, { nil: null }),
    trusted: fc.boolean(),
    labCertificate: fc.boolean(),
    code: fc.option(someText(40), { nil: null }),
    why: someText(100),
    handshakeMs: dtArb,
  })
  .map(({ trusted, labCertificate, code, why, ...info }) => ({
    ...info,
    // The lab's own certificate is one the other side showed.
    trust: {
      trusted,
      labCertificate: labCertificate && info.certificate !== null,
      ...(code !== null && { code }),
      why,
    },
  }));

type Step =
  | { do: 'open'; host: string; port: number; route: Route; tls: boolean }
  | { do: 'resolved'; pick: number; addresses: string[]; chosen: string }
  | { do: 'connecting'; pick: number; address: string; port: number; route: Route; answeredBy: string | null }
  | {
      do: 'connected';
      pick: number;
      local: Endpoint;
      remote: Endpoint;
      route: Route;
      answeredBy: string | null;
      elapsedMs: number;
    }
  | { do: 'data'; pick: number; dir: 'in' | 'out'; bytes: Uint8Array }
  | { do: 'wire'; pick: number; dir: 'in' | 'out'; bytes: Uint8Array }
  | { do: 'tls'; pick: number; info: TlsSessionInfo }
  | { do: 'unsaved'; pick: number; dir: 'in' | 'out'; length: number; wire: boolean }
  | { do: 'local-ended' | 'peer-ended'; pick: number }
  | {
      do: 'error';
      pick: number;
      code: (typeof ERROR_CODES)[number];
      message: string;
      hint: string;
      detail: string | null;
    }
  | { do: 'closed'; pick: number; by: 'local' | 'peer' | 'error' | 'abort' }
  | { do: 'slow-mode'; slow: SlowMode | null }
  | { do: 'progress'; progress: LabProgress }
  | { do: 'journal-full'; limitBytes: number };

const pick = fc.nat();
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      do: fc.constant('open' as const),
      host: hostArb,
      port: portArb,
      route: routeArb,
      tls: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      do: fc.constant('wire' as const),
      pick,
      dir: fc.constantFrom<'in' | 'out'>('in', 'out'),
      bytes: wireBytesArb,
    }),
  },
  fc.record({ do: fc.constant('tls' as const), pick, info: tlsInfoArb }),
  fc.record({
    do: fc.constant('resolved' as const),
    pick,
    addresses: fc.array(addressArb, { maxLength: 3 }),
    chosen: addressArb,
  }),
  fc.record({
    do: fc.constant('connecting' as const),
    pick,
    address: addressArb,
    port: portArb,
    route: routeArb,
    answeredBy: fc.option(someText(60), { nil: null }),
  }),
  fc.record({
    do: fc.constant('connected' as const),
    pick,
    local: endpointArb,
    remote: endpointArb,
    route: routeArb,
    answeredBy: fc.option(someText(60), { nil: null }),
    elapsedMs: dtArb,
  }),
  {
    weight: 6,
    arbitrary: fc.record({
      do: fc.constant('data' as const),
      pick,
      dir: fc.constantFrom<'in' | 'out'>('in', 'out'),
      bytes: bytesArb,
    }),
  },
  fc.record({
    do: fc.constant('unsaved' as const),
    pick,
    dir: fc.constantFrom<'in' | 'out'>('in', 'out'),
    length: fc.integer({ min: 1, max: 10_000_000 }),
    wire: fc.boolean(),
  }),
  fc.record({ do: fc.constantFrom('local-ended' as const, 'peer-ended' as const), pick }),
  fc.record({
    do: fc.constant('error' as const),
    pick,
    code: fc.constantFrom(...ERROR_CODES),
    message: anyText(80),
    hint: anyText(80),
    detail: fc.option(anyText(20), { nil: null }),
  }),
  fc.record({
    do: fc.constant('closed' as const),
    pick,
    by: fc.constantFrom('local' as const, 'peer' as const, 'error' as const, 'abort' as const),
  }),
  fc.record({ do: fc.constant('slow-mode' as const), slow: slowArb }),
  fc.record({ do: fc.constant('progress' as const), progress: progressArb }),
  fc.record({ do: fc.constant('journal-full' as const), limitBytes: fc.integer({ min: 1, max: 2 ** 40 }) }),
);

export interface GeneratedSession {
  entries: SessionEntry[];
  summary: TranscriptSummary;
  source(): TranscriptSource;
}

interface OpenConnection {
  id: ConnectionId;
  next: { in: number; out: number };
  /** A TLS connection's wire streams, named as the hub names them (one splitter, fed in order). */
  tls: {
    next: { in: number; out: number };
    splitter: TlsRecordSplitter;
    /** Wire bytes went unsaved this way: the records after them cannot be known. */
    lost: { in: boolean; out: boolean };
    secured: boolean;
  } | null;
}

/** Plays steps into entries: only open connections get events, offsets follow on, one start, end last. */
function play(
  start: Extract<SessionEntry, { kind: 'start' }>,
  timed: Array<{ step: Step; dt: number; eventDt: number }>,
  ended: boolean,
  idPrefix: string,
): SessionEntry[] {
  const entries: SessionEntry[] = [start];
  const open: OpenConnection[] = [];
  let opened = 0;
  let journalFull = false;
  let t = 0;
  for (const { step, dt, eventDt } of timed) {
    t += dt;
    const eventT = t + eventDt;
    const event = (e: LabEvent): void => void entries.push({ kind: 'event', t, event: e });
    if (step.do === 'open') {
      opened += 1;
      const conn: OpenConnection = {
        id: `${idPrefix}-${opened}`,
        next: { in: 0, out: 0 },
        tls: step.tls
          ? {
              next: { in: 0, out: 0 },
              splitter: new TlsRecordSplitter(),
              lost: { in: false, out: false },
              secured: false,
            }
          : null,
      };
      open.push(conn);
      const e: LabEvent = {
        type: 'resolving',
        id: conn.id,
        t: eventT,
        host: step.host,
        port: step.port,
        route: step.route,
      };
      if (step.tls) e.tls = true;
      event(e);
      continue;
    }
    if (step.do === 'slow-mode') {
      entries.push({ kind: 'slow-mode', t, slow: step.slow });
      continue;
    }
    if (step.do === 'progress') {
      entries.push({ kind: 'progress', t, progress: step.progress });
      continue;
    }
    if (step.do === 'journal-full') {
      if (!journalFull) entries.push({ kind: 'journal-full', t, limitBytes: step.limitBytes });
      journalFull = true;
      continue;
    }
    const conn = open[step.pick % Math.max(1, open.length)];
    if (!conn) continue;
    const base = { id: conn.id, t: eventT };
    switch (step.do) {
      case 'resolved':
        event({ ...base, type: 'resolved', addresses: step.addresses, chosen: step.chosen });
        break;
      case 'connecting': {
        const e: LabEvent = { ...base, type: 'connecting', address: step.address, port: step.port, route: step.route };
        if (step.answeredBy !== null) e.answeredBy = step.answeredBy;
        event(e);
        break;
      }
      case 'connected': {
        const e: LabEvent = {
          ...base,
          type: 'connected',
          local: step.local,
          remote: step.remote,
          route: step.route,
          elapsedMs: step.elapsedMs,
        };
        if (step.answeredBy !== null) e.answeredBy = step.answeredBy;
        event(e);
        break;
      }
      case 'data':
        event({ ...base, type: 'data', dir: step.dir, offset: conn.next[step.dir], bytes: step.bytes });
        conn.next[step.dir] += step.bytes.byteLength;
        break;
      case 'wire': {
        if (!conn.tls) break;
        const records = conn.tls.splitter.push(step.dir, step.bytes);
        event({
          ...base,
          type: 'wire',
          dir: step.dir,
          offset: conn.tls.next[step.dir],
          bytes: step.bytes,
          records: conn.tls.lost[step.dir] ? [] : records,
        });
        conn.tls.next[step.dir] += step.bytes.byteLength;
        break;
      }
      case 'tls':
        if (!conn.tls || conn.tls.secured) break;
        conn.tls.secured = true;
        event({ ...base, type: 'tls', ...step.info });
        break;
      case 'unsaved': {
        const wire = step.wire && conn.tls !== null;
        const next = wire && conn.tls ? conn.tls.next : conn.next;
        const entry: SessionEntry = {
          kind: 'unsaved',
          t,
          id: conn.id,
          dir: step.dir,
          offset: next[step.dir],
          length: step.length,
        };
        if (wire && conn.tls) {
          entry.wire = true;
          conn.tls.lost[step.dir] = true;
        }
        entries.push(entry);
        next[step.dir] += step.length;
        break;
      }
      case 'local-ended':
      case 'peer-ended':
        event({ ...base, type: step.do });
        break;
      case 'error': {
        const e: LabEvent = { ...base, type: 'error', code: step.code, message: step.message, hint: step.hint };
        if (step.detail !== null) e.detail = step.detail;
        event(e);
        break;
      }
      case 'closed':
        event({ ...base, type: 'closed', by: step.by });
        open.splice(open.indexOf(conn), 1);
        break;
    }
  }
  if (ended) entries.push({ kind: 'end', t: t + 1 });
  return entries;
}

export function sessionArb(maxSteps = 80): fc.Arbitrary<GeneratedSession> {
  return fc
    .record({
      sessionId: someText(40),
      startedAt: fc.oneof(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true }),
      ),
      appVersion: someText(20),
      transport: fc.constantFrom('electron' as const, 'web' as const),
      platform: fc.oneof(fc.constantFrom('linux', 'darwin', 'win32'), someText(20)),
      idPrefix: fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
      steps: fc.array(fc.record({ step: stepArb, dt: dtArb, eventDt: fc.oneof(fc.constant(0), dtArb) }), {
        maxLength: maxSteps,
        size: 'medium',
      }),
      ended: fc.boolean(),
    })
    .map(({ steps, ended, idPrefix, ...start }) => {
      const entries = play({ kind: 'start', t: 0, ...start }, steps, ended, idPrefix);
      const summary = summarize(entries);
      return { entries, summary, source: () => memorySource(entries, summary) };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Export and read helpers.

export async function exportToBuffer(exporter: Exporter, source: TranscriptSource): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of exporter(source)) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** The bytes in pieces of `size` (or of the sizes given, cycling), as a file read would give them. */
export function chunked(bytes: Uint8Array, size: number | number[] = 64 * 1024): AsyncIterableIterator<Uint8Array> {
  const sizes = Array.isArray(size) ? size : [size];
  let turn = 0;
  let at = 0;
  // A plain iterator, not an async generator: a generator's own bookkeeping per chunk cost the corpus as much as
  // the reader's, a byte at a time. The same chunks, lazily, and return() ends it as it ends a generator.
  const iterator: AsyncIterableIterator<Uint8Array> = {
    next() {
      if (at >= bytes.byteLength) return Promise.resolve({ done: true, value: undefined });
      const length = Math.max(1, sizes[turn % sizes.length] as number);
      turn += 1;
      const value = bytes.subarray(at, at + length);
      at += length;
      return Promise.resolve({ done: false, value });
    },
    return() {
      at = bytes.byteLength;
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export interface ReadBack {
  result: Result<SocketlabFileInfo>;
  entries: SessionEntry[];
}

export async function readBack(
  bytes: Uint8Array,
  options: SocketlabReadOptions = {},
  chunkSize: number | number[] = 64 * 1024,
): Promise<ReadBack> {
  const entries: SessionEntry[] = [];
  const result = await readSocketlab(chunked(bytes, chunkSize), (entry) => void entries.push(entry), options);
  return { result, entries };
}

/** The file's lines but the one with `savedAt`, to compare two exports made at different times. */
export function withoutSavedAt(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => !line.startsWith('"savedAt":'))
    .join('\n');
}
