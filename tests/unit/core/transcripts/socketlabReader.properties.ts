/**
 * A property of the .socketlab reader for fast-check, to sit beside the 10,000-mutant corpus
 * (socketlab.corpus.test.ts): the corpus is a fixed list, this draws new damage on every seed and shrinks a failure
 * to its smallest file. Real exports of random valid sessions are cut, flipped, spliced, given absurd numbers or
 * foreign pieces, and read in chunks of any size: each read ends in a valid session or one clear refusal, quickly,
 * never a throw; an undamaged file reads back entry for entry.
 */
import fc from 'fast-check';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { readSocketlab } from '../../../../src/main/core/transcripts/socketlabReader';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { FUZZ_SEED } from '../fuzzing';
import { chunked, exportToBuffer, sessionArb } from './socketlabSessions';

/** One read of one small file; far above what any takes, far below a hang. */
export const READ_BOUND_MS = 3_000;

interface Base {
  bytes: Buffer;
  entries: SessionEntry[];
}

/** Exports of random valid sessions, made once: exporting per case would time the exporter, not the reader. */
export async function readerBases(count = 6): Promise<Base[]> {
  const save = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z') });
  return Promise.all(
    fc.sample(sessionArb(30), { seed: FUZZ_SEED, numRuns: count }).map(async (session) => ({
      bytes: await exportToBuffer(save, session.source()),
      entries: session.entries,
    })),
  );
}

const PIECES = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '\n',
  '\r\n',
  'null',
  '-1',
  '1e309',
  '9'.repeat(40),
  '0.5',
  '"__proto__":{"polluted":true},',
  '"constructor":{"prototype":{"polluted":true}},',
  '{"kind":"end","t":0}',
  '"bytes":"!!!"',
  '"version":2',
  '\u0000',
  '\ufeff',
  '\u202e',
  '\ud800',
  '["'.repeat(50),
  '{"a":'.repeat(40),
];

type Damage =
  | { kind: 'none' }
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; flips: Array<[number, number]> }
  | { kind: 'insert'; at: number; piece: string }
  | { kind: 'number'; which: number; text: string }
  | { kind: 'splice'; other: number; at: number; from: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('flip' as const),
    flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    piece: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    kind: fc.constant('number' as const),
    which: fc.nat(),
    text: fc.constantFrom('1e309', '-1', '0.5', '18446744073709551616', '"7"', 'null', '-0', '1e-400', '[]'),
  }),
  fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat(), from: fc.nat() }),
);

function damaged(bases: Base[], index: number, change: Damage): Uint8Array {
  const { bytes } = bases[index % bases.length] as Base;
  switch (change.kind) {
    case 'none':
      return bytes;
    case 'cut':
      return bytes.subarray(0, change.at % bytes.length);
    case 'flip': {
      const copy = Buffer.from(bytes);
      for (const [at, byte] of change.flips) copy[at % copy.length] = byte;
      return copy;
    }
    case 'insert': {
      const at = change.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(change.piece, 'utf8'), bytes.subarray(at)]);
    }
    case 'number': {
      const text = bytes.toString('utf8');
      const numbers = [...text.matchAll(/:(-?\d+(?:\.\d+)?)/g)];
      const match = numbers[change.which % Math.max(1, numbers.length)];
      if (!match) return bytes;
      const at = (match.index as number) + 1;
      return Buffer.from(text.slice(0, at) + change.text + text.slice(at + (match[1] as string).length), 'utf8');
    }
    case 'splice': {
      const other = (bases[change.other % bases.length] as Base).bytes;
      return Buffer.concat([bytes.subarray(0, change.at % bytes.length), other.subarray(change.from % other.length)]);
    }
  }
}

const CONTROL = /\p{Cc}/u;

/** A value as canonical text: keys sorted, bytes as base64, so two entries compare whatever their key order. */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('base64')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonical(record[name])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Entry for entry, key order aside, bytes as bytes. */
function sameEntries(a: SessionEntry[], b: SessionEntry[]): boolean {
  return canonical(a) === canonical(b);
}

export function socketlabReaderProperty(bases: Base[]) {
  return {
    name: 'a damaged export reads as a valid session or one clear refusal, quickly; an undamaged one reads back whole',
    property: fc.asyncProperty(
      fc.nat(),
      damage,
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
      async (index, change, chunkSizes) => {
        const bytes = damaged(bases, index, change);
        const entries: SessionEntry[] = [];
        const started = performance.now();
        const result = await readSocketlab(chunked(bytes, chunkSizes), (entry) => {
          entries.push(entry);
        });
        if (performance.now() - started > READ_BOUND_MS) return false;
        if (change.kind === 'none') {
          return result.ok && sameEntries(entries, (bases[index % bases.length] as Base).entries);
        }
        if (result.ok) return entries[0]?.kind === 'start' && result.value.entries === entries.length;
        const { code, message, hint } = result.error;
        return (
          (code === 'BAD_FILE' || code === 'FILE_TOO_LARGE') &&
          message.length >= 20 &&
          hint.length >= 10 &&
          !CONTROL.test(message) &&
          !CONTROL.test(hint)
        );
      },
    ),
  };
}
