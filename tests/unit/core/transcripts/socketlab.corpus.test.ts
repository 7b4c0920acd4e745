/**
 * A corpus of bad files: over 10,000 mutants of real .socketlab exports, TLS connections among them (cut short, bytes
 * flipped, wrong types, absurd numbers, deep nesting, damaged base64, wrong format or version, foreign JSON, binary
 * garbage, byte-order marks, lines moved, TLS facts changed, and records written in that the reader must ignore). Each must give a valid result or one clear BAD_FILE / FILE_TOO_LARGE: never a throw, never
 * a hang, within a time bound, and with Object.prototype untouched afterwards.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { readSocketlab } from '../../../../src/main/core/transcripts/socketlabReader';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { closedPort } from '../connections/loopback';
import { labRecording, labSessionOn, recordTour, tlsRomeoExchange, type LabRecording } from './labSession';
import { chunked, exportToBuffer, FC_SEED, sessionArb } from './socketlabSessions';

const SEED = Number(process.env.CORPUS_SEED ?? 1201);
/** One read of one small mutant; far above what any takes, far below a hang. */
const READ_BOUND_MS = 3_000;

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Mutant {
  family: string;
  bytes: Uint8Array;
  /** A mutant that only reformats: it must read back as the original. */
  same?: SessionEntry[];
}

const save = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z') });
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a JSON value: the path to it. */
function paths(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(at);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...at, index], out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths(item, [...at, key], out);
  }
  return out;
}

function setAt(root: Json, path: Array<string | number>, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return root;
}

const WRONG_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53 + 2,
  1e300,
  -0.000001,
  '',
  'x',
  'ü\u0000\u001b[31m',
  '\ud800',
  [],
  {},
  [1, 'two', null],
  { kind: 'end', t: 0 },
  { __proto__: { polluted: true } } as unknown as Json,
];
const HUGE_NUMBERS = [
  '1e309',
  '-1e309',
  '9'.repeat(400),
  '1e-400',
  '18446744073709551616',
  '-0',
  '0.1e1',
  '4294967296',
];
const NUMERIC_KEYS = ['offset', 'length', 'port', 't', 'limitBytes', 'entries', 'dataBytes', 'startedAt', 'elapsedMs'];

/** TLS-specific wrong values, beside the generic ones. */
const WRONG_TLS_VALUES: Json[] = [
  'TLS 1.3',
  'a7:0e:2a',
  '2026-11-30T14:02:00Z',
  'Feb 30 2026',
  '+275760-09-13T00:00:00.001Z',
  'h'.repeat(256),
  'TLSv1.3\n',
  [''],
  { subject: 'CN=x' },
];

type JsonEntry = { kind: string; id?: string; wire?: boolean; event?: Record<string, Json> };

function buildCorpus(
  bases: Array<{ bytes: Buffer; entries: SessionEntry[] }>,
  picture: Buffer,
  tlsBase: { bytes: Buffer; entries: SessionEntry[] },
): Mutant[] {
  const random = prng(SEED);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const base = (): { bytes: Buffer; entries: SessionEntry[] } => pick(bases);
  const mutants: Mutant[] = [];
  const add = (family: string, bytes: Uint8Array | string, same?: SessionEntry[]): void => {
    mutants.push({ family, bytes: typeof bytes === 'string' ? enc(bytes) : bytes, ...(same && { same }) });
  };

  for (let i = 0; i < 1800; i += 1) {
    const { bytes } = base();
    add('cut short', bytes.subarray(0, int(bytes.length)));
  }
  for (let i = 0; i < 150; i += 1) add('cut short (the picture)', picture.subarray(0, int(picture.length)));

  for (let i = 0; i < 2200; i += 1) {
    const copy = Buffer.from(base().bytes);
    const flips = 1 + int(3);
    for (let f = 0; f < flips; f += 1) {
      const at = int(copy.length);
      copy[at] = random() < 0.5 ? int(256) : (copy[at] as number) ^ (1 << int(8));
    }
    add('bytes flipped', copy);
  }
  for (let i = 0; i < 100; i += 1) {
    const copy = Buffer.from(picture);
    copy[int(copy.length)] = int(256);
    add('bytes flipped (the picture)', copy);
  }

  for (let i = 0; i < 1500; i += 1) {
    const json = JSON.parse(dec(base().bytes)) as Json;
    const all = paths(json).filter((path) => path.length > 0);
    const path = pick(all);
    const value = random() < 0.15 ? undefined : structuredClone(pick(WRONG_VALUES));
    const text = JSON.stringify(setAt(json, path, value), null, random() < 0.3 ? 1 : undefined);
    add('wrong type or missing field', text);
  }

  for (let i = 0; i < 800; i += 1) {
    const text = dec(base().bytes);
    const key = pick(NUMERIC_KEYS);
    const matches = [...text.matchAll(new RegExp(`"${key}":(-?[0-9.eE+]+)`, 'g'))];
    if (matches.length === 0) continue;
    const match = pick(matches);
    const at = (match.index as number) + key.length + 3;
    add('absurd number', text.slice(0, at) + pick(HUGE_NUMBERS) + text.slice(at + (match[1] as string).length));
  }
  for (let i = 0; i < 200; i += 1) {
    const json = JSON.parse(dec(base().bytes)) as Record<string, Json>;
    const many = 100 + int(5000);
    if (random() < 0.5) {
      (json.entries as Json[]).splice(1 + int(3), 0, {
        kind: 'event',
        t: 1,
        event: { type: 'resolved', id: 'c', t: 1, addresses: Array(many).fill('127.0.0.1'), chosen: '127.0.0.1' },
      });
    } else {
      json.totals = { entries: many * 1e9, dataBytes: -many };
    }
    add('absurd count', JSON.stringify(json));
  }

  for (let i = 0; i < 300; i += 1) {
    const text = dec(base().bytes);
    const depth = pick([33, 40, 1000, 100_000]);
    const opener = random() < 0.5 ? '[' : '{"a":';
    const at = text.indexOf('"entries":[') + (random() < 0.5 ? 0 : 11);
    add(
      'deep nesting',
      text.slice(0, at) + (at === text.indexOf('"entries":[') ? '"deep":' : '') + opener.repeat(depth) + text.slice(at),
    );
  }
  add('deep nesting', '['.repeat(100_000));
  add('deep nesting', '{"a":'.repeat(100_000));

  for (let i = 0; i < 1000; i += 1) {
    const text = dec(base().bytes);
    const matches = [...text.matchAll(/"bytes":"([A-Za-z0-9+/=]+)"/g)];
    if (matches.length === 0) continue;
    const match = pick(matches);
    const start = (match.index as number) + 9;
    const value = match[1] as string;
    const at = int(value.length + 1);
    const damage = pick([
      () => value.slice(0, at) + value.slice(at + 1),
      () => value.slice(0, at) + pick(['=', '-', '_', ' ', '\\n', '!', 'é', '\\u0041', '==']) + value.slice(at),
      () => value.replace(/=+$/, ''),
      () => value + '=',
      () => value.slice(0, -2) + 'B=',
      () => '',
    ])();
    add('base64 damaged', text.slice(0, start) + damage + text.slice(start + value.length));
  }

  const formats = [
    '"har"',
    '"SocketLab"',
    '"socketlab "',
    'null',
    '1',
    '["socketlab"]',
    '{"name":"socketlab"}',
    '"pcapng"',
  ];
  const versions = ['0', '2', '3', '1000', '-1', '1.0000001', '"1"', 'null', 'true', '[1]', '{"major":1}', '1e400'];
  for (let i = 0; i < 400; i += 1) {
    const text = dec(base().bytes);
    if (random() < 0.4) add('wrong format', text.replace('"format":"socketlab"', `"format":${pick(formats)}`));
    else if (random() < 0.8) add('wrong version', text.replace('"version":1', `"version":${pick(versions)}`));
    else add('no format or version', text.replace(pick(['"format":"socketlab",', '"version":1,']), ''));
  }

  const foreign = fc.sample(fc.json({ maxDepth: 4 }), { seed: SEED, numRuns: 250 });
  for (const text of foreign) add('foreign JSON', text);
  for (const text of [
    '{"log":{"version":"1.2","creator":{"name":"Firefox","version":"120"},"entries":[{"request":{}}]}}',
    '{"name":"socket-lab","version":"0.1.0"}',
    '{"entries":[{"kind":"start"}]}',
    '{"format":"socketlab"}',
    '{"version":1,"entries":[]}',
    '{}',
    '[]',
    'null',
  ]) {
    add('foreign JSON', text);
  }

  for (let i = 0; i < 400; i += 1) {
    const length = pick([1, 2, 16, 1000, 20_000]);
    add(
      'binary garbage',
      Uint8Array.from({ length }, () => int(256)),
    );
  }
  for (let i = 0; i < 50; i += 1) add('binary garbage', gzipSync(base().bytes));
  for (let i = 0; i < 50; i += 1) {
    add('binary garbage', Buffer.concat([Uint8Array.from({ length: 1 + int(64) }, () => int(256)), base().bytes]));
  }

  const boms = [
    [0xef, 0xbb, 0xbf],
    [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
    [0xff, 0xfe],
    [0xfe, 0xff],
    [0x00, 0x00, 0xfe, 0xff],
    [0xff, 0xfe, 0x00, 0x00],
    [0xef, 0xbb],
  ];
  for (let i = 0; i < 300; i += 1) {
    const { bytes, entries } = base();
    const bom = Buffer.from(pick(boms));
    add(
      bom.length === 3 && bom[0] === 0xef ? 'UTF-8 BOM (valid)' : 'BOM',
      Buffer.concat([bom, bytes]),
      bom.length === 3 && bom[0] === 0xef ? entries : undefined,
    );
  }
  for (let i = 0; i < 60; i += 1) {
    const { bytes } = base();
    const at = int(bytes.length);
    add(
      'BOM in the middle',
      Buffer.concat([bytes.subarray(0, at), Buffer.from([0xef, 0xbb, 0xbf]), bytes.subarray(at)]),
    );
  }
  for (let i = 0; i < 40; i += 1) {
    const text = dec(base().bytes);
    add(
      'UTF-16',
      random() < 0.5
        ? Buffer.from(text, 'utf16le')
        : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
  }

  for (let i = 0; i < 500; i += 1) {
    const { bytes } = base();
    const lines = dec(bytes).split('\n');
    const a = int(lines.length);
    const b = int(lines.length);
    const change = int(4);
    if (change === 0) lines.splice(a, 0, lines[b] as string);
    else if (change === 1) lines.splice(a, 1);
    else if (change === 2) [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
    else lines.splice(a, 0, dec(pick(bases).bytes));
    add('lines moved', lines.join('\n'));
  }

  // TLS facts changed: every field of the tls event, the resolving's switch, a wire event moved or turned round.
  const tlsText = dec(tlsBase.bytes);
  for (let i = 0; i < 500; i += 1) {
    const json = JSON.parse(tlsText) as Record<string, Json>;
    const entries = json.entries as unknown as JsonEntry[];
    const events = (type: string): Array<Record<string, Json>> =>
      entries.flatMap((entry) => (entry.event?.type === type ? [entry.event] : []));
    const tlsIds = new Set(
      events('resolving')
        .filter((event) => event.tls === true)
        .map((event) => event.id),
    );
    const plainId = events('resolving').find((event) => event.tls !== true)?.id as Json;
    const change = int(8);
    if (change <= 2) {
      const tls = pick(events('tls'));
      const path = pick(paths(tls as Json).filter((at) => at.length > 0));
      setAt(
        tls as Json,
        path,
        random() < 0.15 ? undefined : structuredClone(pick([...WRONG_VALUES, ...WRONG_TLS_VALUES])),
      );
    } else if (change === 3) {
      delete pick(events('resolving').filter((event) => tlsIds.has(event.id))).tls;
    } else if (change === 4) {
      pick(events(pick(['wire', 'tls']))).id = plainId;
    } else if (change === 5) {
      const wire = pick(events('wire'));
      wire.dir = wire.dir === 'in' ? 'out' : 'in';
    } else if (change === 6) {
      const at = entries.findIndex((entry) => entry.event?.type === 'tls');
      entries.splice(at + 1 + int(3), 0, structuredClone(entries[at] as JsonEntry));
    } else {
      const totals = json.totals as Record<string, number>;
      totals.wireBytes = (totals.wireBytes as number) + pick([-1, 1, -(totals.wireBytes as number)]);
    }
    add('TLS facts changed', JSON.stringify(json));
  }
  // Records written into wire events are ignored: the reader works them out from the bytes, so a file cannot lie.
  for (let i = 0; i < 50; i += 1) {
    const json = JSON.parse(tlsText) as Record<string, Json>;
    for (const entry of json.entries as unknown as JsonEntry[]) {
      if (entry.event?.type === 'wire') {
        entry.event.records = pick<Json>([[], [{ contentType: 'alert', alert: 'fatal' }], 'ClientHello', null]);
      }
    }
    add('lying records (valid)', JSON.stringify(json), tlsBase.entries);
  }

  for (let i = 0; i < 300; i += 1) {
    const { bytes, entries } = base();
    const json = JSON.parse(dec(bytes)) as Record<string, Json>;
    const shuffled: Record<string, Json> = {};
    const keys = Object.keys(json).sort(() => random() - 0.5);
    for (const key of keys) shuffled[key] = json[key] as Json;
    shuffled.entries = (json.entries as Array<Record<string, Json>>).map((entry) =>
      Object.fromEntries(Object.entries(entry).sort(() => random() - 0.5)),
    );
    if (random() < 0.5) shuffled[`future${i}`] = { note: 'a field a later version adds' };
    add(
      'reformatted (valid)',
      JSON.stringify(shuffled, null, pick([undefined, 1, 2, '\t', '\r\n'.slice(0, 1)])),
      entries,
    );
  }
  return mutants;
}

/**
 * Entries with every byte array written as its type, length and base64, for toEqual: it walks a typed array element
 * by element, which for the 350 valid mutants was about a tenth of this test. Same bytes, same verdict.
 */
function withBytesAsText(entries: readonly SessionEntry[]): unknown {
  const text = (value: unknown): unknown => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      return `${Object.prototype.toString.call(value)} ${bytes.byteLength}:${bytes.toString('base64')}`;
    }
    if (Array.isArray(value)) return value.map(text);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, text(item)]));
    }
    return value;
  };
  return text(entries);
}

let recording: LabRecording;
let corpus: Mutant[];

beforeAll(async () => {
  recording = await labRecording();
  // The plain tour keeps the many generic mutants quick; a TLS session of its own (and the picture's tour) brings TLS.
  await recordTour(recording, await closedPort(), { picture: false, tls: false });
  const tour = { bytes: await exportToBuffer(save, recording.session.source()), entries: recording.session.entries };
  const secureSession = labSessionOn(recording.lab);
  await tlsRomeoExchange(secureSession);
  secureSession.hub.dispose();
  secureSession.entries.push({ kind: 'end', t: (secureSession.entries.at(-1)?.t ?? 0) + 1 });
  const secure = { bytes: await exportToBuffer(save, secureSession.source()), entries: secureSession.entries };
  expect(secure.entries.some((entry) => entry.kind === 'event' && entry.event.type === 'tls')).toBe(true);
  const pictureRecording = await labRecording();
  await recordTour(pictureRecording, await closedPort());
  const picture = await exportToBuffer(save, pictureRecording.session.source());
  await pictureRecording.stop();
  const generated = await Promise.all(
    fc.sample(sessionArb(30), { seed: FC_SEED, numRuns: 4 }).map(async (session) => ({
      bytes: await exportToBuffer(save, session.source()),
      entries: session.entries,
    })),
  );
  corpus = buildCorpus([tour, tour, secure, ...generated], picture, secure);
});

afterAll(async () => {
  await recording.stop();
});

describe('a corpus of damaged .socketlab files', () => {
  it(`every mutant (seed ${SEED}) gets a result or one clear refusal, quickly, and nothing is polluted`, async () => {
    const before = {
      object: Object.getOwnPropertyNames(Object.prototype).join(),
      array: Object.getOwnPropertyNames(Array.prototype).join(),
    };
    const tally = new Map<string, { ok: number; refused: number }>();
    const problems: string[] = [];
    const random = prng(SEED + 1);
    let slowest = 0;
    const started = performance.now();

    for (const [index, mutant] of corpus.entries()) {
      const where = `mutant ${index} (${mutant.family}, seed ${SEED})`;
      // Chunk boundaries anywhere, one byte at a time included (rarely: it is the slowest way to read).
      const chunk = [1, 3, 3, 17, 17, 256, 256, 4096, 4096, 65536, 65536, 65536][Math.floor(random() * 12)] as number;
      const entries: SessionEntry[] = [];
      const begun = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), READ_BOUND_MS * 3)));
      let outcome: Awaited<ReturnType<typeof readSocketlab>> | 'hang';
      try {
        outcome = await Promise.race([
          readSocketlab(chunked(mutant.bytes, mutant.bytes.byteLength > 50_000 ? 4096 : chunk), (entry) => {
            entries.push(entry);
          }),
          hang,
        ]);
      } catch (error) {
        problems.push(`${where}: threw ${String(error)}`);
        continue;
      } finally {
        clearTimeout(timer);
      }
      const ms = performance.now() - begun;
      slowest = Math.max(slowest, ms);
      if (outcome === 'hang') {
        problems.push(`${where}: no result after ${READ_BOUND_MS * 3} ms`);
        continue;
      }
      if (ms > READ_BOUND_MS) problems.push(`${where}: took ${ms.toFixed(0)} ms`);
      const count = tally.get(mutant.family) ?? { ok: 0, refused: 0 };
      tally.set(mutant.family, count);
      if (outcome.ok) {
        count.ok += 1;
        if (entries[0]?.kind !== 'start' || outcome.value.entries !== entries.length) {
          problems.push(`${where}: accepted, but the entries do not make a session`);
        }
      } else {
        count.refused += 1;
        const { code, message, hint } = outcome.error;
        if (code !== 'BAD_FILE' && code !== 'FILE_TOO_LARGE') problems.push(`${where}: code ${code}`);
        if (message.length < 20 || hint.length < 10) problems.push(`${where}: too few words: ${message}`);
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001f\u007f]/.test(message)) problems.push(`${where}: a control character in: ${message}`);
      }
      if (mutant.same) {
        if (!outcome.ok) problems.push(`${where}: a valid file was refused: ${outcome.error.message}`);
        else expect(withBytesAsText(entries), where).toEqual(withBytesAsText(mutant.same));
      }
    }

    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${corpus.length} mutants in ${seconds.toFixed(1)} s (slowest read ${slowest.toFixed(0)} ms):\n` +
        [...tally].map(([family, { ok, refused }]) => `  ${family}: ${refused} refused, ${ok} read`).join('\n'),
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(before.object);
    expect(Object.getOwnPropertyNames(Array.prototype).join()).toBe(before.array);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Most mutants are damaged, and the reader must have noticed.
    const refused = [...tally.values()].reduce((sum, { refused: n }) => sum + n, 0);
    expect(refused).toBeGreaterThan(corpus.length * 0.8);
  }, 120_000);
});
