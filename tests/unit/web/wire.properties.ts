/**
 * Properties of the web transport's frame decoder, held to its public contract only (src/shared/wire.ts may be
 * rewritten underneath): `decodeFrame(frame)` never throws anything but FrameError, never hangs, never touches
 * Object.prototype, reads a byte reference as exactly the bytes it points at, and round-trips what encodeFrame makes.
 */
import fc from 'fast-check';
import { COMMAND_CHANNELS } from '../../../src/shared/contract';
import { decodeFrame, encodeFrame, FrameError } from '../../../src/shared/wire';
import type { NamedProperty } from '../core/fuzzing';

/** One decode of a frame of at most a few KiB; far above what any takes, far below a hang. */
export const DECODE_BOUND_MS = 1_000;

const KEYS = ['__proto__', 'constructor', 'prototype', '$bytes', 'toString', 'hasOwnProperty', 'kind', 'args', ''];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));

/** Bytes as a caller has them: often a view into a larger buffer, not at offset 0. */
const bytes = fc.tuple(fc.uint8Array({ maxLength: 48 }), fc.nat(8), fc.nat(8)).map(([body, before, after]) => {
  const buffer = new Uint8Array(before + body.length + after).fill(0xee);
  buffer.set(body, before);
  return buffer.subarray(before, before + body.length);
});

const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.integer(),
  // JSON has no -0, NaN or Infinity: a value JSON cannot carry is not one encodeFrame is asked to carry.
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
  bytes,
);

function objectFrom(entries: Array<[string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  // defineProperty: a key "__proto__" is a field of data here, as JSON.parse makes it.
  for (const [name, value] of entries) {
    Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** Values a message can hold: JSON with Uint8Arrays anywhere, and keys that tempt a careless decoder. */
export const wireValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map(objectFrom),
  ),
})).node;

/** An object whose only key is "$bytes" is how a blob is spelled in the head: as data it cannot round-trip. */
function spellsABlob(value: unknown): boolean {
  if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(spellsABlob);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$bytes') return true;
  return keys.some((name) => spellsABlob((value as Record<string, unknown>)[name]));
}

/** Deep equality that tells bytes from arrays, an own "__proto__" key from a prototype, and 0 from -0. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return (
      a instanceof Uint8Array &&
      b instanceof Uint8Array &&
      a.byteLength === b.byteLength &&
      a.every((byte, index) => byte === b[index])
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keysA = Object.keys(a).sort();
    const keysB = Object.keys(b).sort();
    return (
      Object.getPrototypeOf(b) === Object.prototype &&
      keysA.length === keysB.length &&
      keysA.every((name, i) => name === keysB[i]) &&
      keysA.every((name) =>
        sameValue(Object.getOwnPropertyDescriptor(a, name)?.value, Object.getOwnPropertyDescriptor(b, name)?.value),
      )
    );
  }
  return Object.is(a, b);
}

/** Every object the decoder returned is plain: Object.prototype, Array.prototype or Uint8Array's, nothing else. */
function allPlain(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > 200) return true;
  if (value instanceof Uint8Array) return Object.getPrototypeOf(value) === Uint8Array.prototype;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return proto === Array.prototype && value.every((item) => allPlain(item, depth + 1));
  return (
    proto === Object.prototype &&
    Object.keys(value).every((name) => allPlain(Object.getOwnPropertyDescriptor(value, name)?.value, depth + 1))
  );
}

function frameOf(head: string | Uint8Array, blobArea: Uint8Array, lengthField?: number): Uint8Array {
  const headBytes = typeof head === 'string' ? new TextEncoder().encode(head) : head;
  const frame = new Uint8Array(4 + headBytes.byteLength + blobArea.byteLength);
  new DataView(frame.buffer).setUint32(0, lengthField ?? headBytes.byteLength);
  frame.set(headBytes, 4);
  frame.set(blobArea, 4 + headBytes.byteLength);
  return frame;
}

/** Pieces of heads that aim at every check the decoder makes: references, numbers, nesting, prototypes. */
const HEAD_PIECES = [
  '{"$bytes":[',
  ']}',
  '{"$bytes":',
  '{"__proto__":',
  '{"constructor":{"prototype":',
  '{"polluted":true}',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"x"',
  '"$bytes"',
  '0',
  '1',
  '4',
  '-1',
  '0.5',
  '1e309',
  '9007199254740993',
  '4294967295',
  '"1"',
  'null',
  'true',
  '{',
  '"\\ud800"',
  '"\\u0000"',
  '\u00ff',
];

const craftedHead = fc.array(fc.constantFrom(...HEAD_PIECES), { maxLength: 30 }).map((pieces) => pieces.join(''));

const NUMBER_TEXTS = ['0', '1', '2', '7', '-1', '-0', '0.5', '1e3', '1e309', '9007199254740993', '4294967296', '"1"'];
const numberText = fc.oneof(fc.constantFrom(...NUMBER_TEXTS), fc.nat(80).map(String));
/** Well-formed JSON heads, built as text: prototype keys, byte references right and wrong, lookalikes. */
const jsonHead: fc.Arbitrary<string> = fc.letrec((tie) => ({
  text: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('null', 'true', '0', '"x"', '"\\u0000"', '{}', '[]'),
    fc.tuple(numberText, numberText).map(([offset, length]) => `{"$bytes":[${offset},${length}]}`),
    fc.constantFrom(
      '{"$bytes":[0]}',
      '{"$bytes":[0,1,2]}',
      '{"$bytes":{"0":0,"1":1}}',
      '{"$bytes":[0,1],"x":1}',
      '{"$bytes":"AA=="}',
      '{"$bytes":null}',
    ),
    fc.array(tie('text'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(key, tie('text')), { maxLength: 4 })
      .map((fields) => `{${fields.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`),
  ),
})).text;

/** A reference that fits the blob area, with the bytes it must decode to. */
const fittingRefs = fc.uint8Array({ minLength: 0, maxLength: 64 }).chain((blobArea) =>
  fc
    .array(
      fc.nat(blobArea.length).chain((offset) => fc.tuple(fc.constant(offset), fc.nat(blobArea.length - offset))),
      { maxLength: 6 },
    )
    .map((refs) => ({ blobArea, refs })),
);

/** Frames broken in every way: random bytes, lying lengths, mutated real frames, crafted heads. */
export const anyFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  fc
    .tuple(craftedHead, fc.uint8Array({ maxLength: 32 }), fc.option(fc.nat({ max: 0xffffffff }), { freq: 4 }))
    .map(([head, blobArea, lie]) => frameOf(head, blobArea, lie ?? undefined)),
  {
    weight: 3,
    arbitrary: fc.tuple(jsonHead, fc.uint8Array({ maxLength: 16 })).map(([head, blobArea]) => frameOf(head, blobArea)),
  },
  { weight: 2, arbitrary: wireValue.map((value) => encodeFrame(value)) },
  fc
    .tuple(wireValue, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([value, flips, cut]) => {
      const frame = Uint8Array.from(encodeFrame(value));
      for (const [at, byte] of flips) frame[at % frame.length] = byte;
      return frame.subarray(0, frame.length - (cut % 3 === 0 ? cut % frame.length : 0));
    }),
  // Deep nesting: a decoder that recurses must still answer with a FrameError, not a stack overflow.
  fc
    .tuple(
      fc.constantFrom(['[', ']'], ['{"a":', '}'], ['{"$bytes":', '}']),
      fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 5_000 })),
      fc.boolean(),
    )
    .map(([[opener, closer], depth, closed]) =>
      frameOf(`${opener.repeat(depth)}0${closed ? closer.repeat(depth) : ''}`, new Uint8Array(0)),
    ),
);

function decodeOutcome(frame: Uint8Array): { value?: unknown; error?: unknown; ms: number } {
  const started = performance.now();
  try {
    const value = decodeFrame(frame);
    return { value, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

export const wireProperties: readonly NamedProperty[] = [
  {
    name: 'round-trips what encodeFrame makes, bytes as bytes and "__proto__" as a plain key',
    property: fc.property(
      wireValue.filter((value) => !spellsABlob(value)),
      (value) => sameValue(value, decodeFrame(encodeFrame(value))),
    ),
  },
  {
    name: 'any frame decodes to plain data or throws a FrameError, quickly, and pollutes nothing',
    property: fc.property(anyFrame, (frame) => {
      const outcome = decodeOutcome(frame);
      const probe: Record<string, unknown> = {};
      return (
        outcome.ms < DECODE_BOUND_MS &&
        (outcome.error === undefined ? allPlain(outcome.value) : outcome.error instanceof FrameError) &&
        probe.polluted === undefined &&
        probe.x === undefined
      );
    }),
  },
  {
    name: 'a reference inside the blob area is exactly those bytes; one past its end is a FrameError',
    property: fc.property(fittingRefs, fc.boolean(), ({ blobArea, refs }, overshoot) => {
      const spelled = refs.map(([offset, length]) => ({ $bytes: [offset, length] }));
      const head = JSON.stringify({ kind: 'call', args: spelled });
      if (overshoot) {
        const past = JSON.stringify({ args: [{ $bytes: [blobArea.length, 1] }] });
        return decodeOutcome(frameOf(past, blobArea)).error instanceof FrameError;
      }
      const decoded = decodeFrame(frameOf(head, blobArea)) as { args: Uint8Array[] };
      return refs.every(([offset, length], index) =>
        sameValue(decoded.args[index], blobArea.slice(offset, offset + length)),
      );
    }),
  },
];

/** Calls the host can read, to any channel, with any arguments: each must be answered as data. */
export const callFrame: fc.Arbitrary<Uint8Array> = fc
  .record({
    callId: fc.nat(),
    channel: fc.oneof(fc.constantFrom(...Object.values(COMMAND_CHANNELS)), fc.string({ maxLength: 20 })),
    args: fc.array(wireValue, { maxLength: 3 }),
  })
  .map((call) => encodeFrame({ kind: 'call', ...call }));
