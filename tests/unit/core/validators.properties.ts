/**
 * Properties of every command's argument validator (dispatch.ts argumentValidators) and of the one door itself
 * (dispatchCommand), for fast-check. Arguments come as the wire and Electron's IPC can bring them: JSON with bytes,
 * and also what a structured clone carries (NaN, -0, Infinity, bigint, Dates, Maps, typed arrays, sparse arrays).
 *
 * Each validator never throws, answers a Result of the right shape, words a refusal in plain, short, escaped text
 * (nothing hidden or right-to-left reaches the screen), and accepts its own output unchanged.
 */
import fc from 'fast-check';
import {
  COMMAND_CHANNELS,
  COMMAND_NAMES,
  commandForChannel,
  type CommandName,
  type LabCommands,
} from '../../../src/shared/contract';
import { isErrorCode, ok, type Result } from '../../../src/shared/errors';
import { LIMITS } from '../../../src/shared/limits';
import { EXPORT_FORMATS } from '../../../src/shared/transcript';
import { argumentValidators, dispatchCommand } from '../../../src/main/core/dispatch';
import type { NamedProperty } from './fuzzing';

/** The longest message or hint a refusal may have: a sentence or two, whatever was typed. */
export const MAX_WORDS_LENGTH = 400;

/** Characters that must never reach the learner raw (the same classes validation.ts escapes). */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

const NASTY = [
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u00a0',
  '\u2028',
  '\u0000',
  '\u001b[31m',
  '\ud800',
  '\udc00',
  '\u{1f600}',
  'é',
  '"',
  '\\',
  '/',
  ':',
  ' ',
  '\t',
  '\n',
  '%',
  '_',
  '-',
  '.',
  '[',
  ']',
  '__proto__',
  'constructor',
];
const nastyText = fc.string({
  unit: fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom(...'abcxyz019AZ'.split(''))),
  maxLength: 30,
});
const longText = fc
  .tuple(fc.constantFrom('a', '9', 'f', '😀', '\u202e', '-'), fc.integer({ min: 40, max: 3000 }))
  .map(([unit, count]) => unit.repeat(count));

/** What a structured clone can bring besides JSON: every kind of value, odd numbers included. */
const anything = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  key: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'host', 'port')),
});
const oddNumber = fc.oneof(
  fc.integer({ min: -10, max: 70_000 }),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE),
);
const wholeNumberText = fc.oneof(
  fc.nat(99_999).map(String),
  fc.tuple(fc.nat(30), fc.nat(99_999)).map(([zeros, n]) => `${'0'.repeat(zeros)}${n}`),
  fc.constantFrom(
    '0',
    '00000',
    '65535',
    '65536',
    '０８０',
    '٨٠',
    '1e3',
    '+80',
    '-1',
    ' 80',
    '80 ',
    '8_0',
    '0o17',
    '0b1',
  ),
  fc.nat(400).map((length) => `0x${'f'.repeat(length)}`),
  fc.nat(0xffff).map((n) => `0x${n.toString(16)}`),
  longText,
);
const some = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: valid }, nastyText, longText, oddNumber, anything);

function objectWith(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.array(fc.tuple(fc.oneof(nastyText, fc.constantFrom('__proto__', 'constructor')), anything), {
        maxLength: 2,
      }),
    )
    .map(([known, extra]) => {
      const object: Record<string, unknown> = { ...known };
      for (const [name, value] of extra) {
        Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return object;
    });
}

const HOSTS = ['data.pr4e.org', 'data.pr4e.org.', '127.0.0.1', '::1', '[::1]', 'localhost', '0x7f.1', '1.2.3'];
const hostLike = some(fc.oneof(fc.constantFrom(...HOSTS), fc.domain(), fc.ipV4(), fc.ipV6(), nastyText));
const portLike = some(fc.oneof(fc.integer({ min: 0, max: 70_000 }), wholeNumberText));
const idLike = some(fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/)));

/** Large arrays made once: a new 1 MiB array per run would time the allocator, not the validator. */
const BIG = [
  new Uint8Array(LIMITS.maxSendBytes),
  new Uint8Array(LIMITS.maxSendBytes + 1),
  Buffer.alloc(LIMITS.maxSendBytes + 1),
];
const bytesLike = some(
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom(...BIG),
    fc.constantFrom(new Uint8Array(0), new Uint16Array(2), new ArrayBuffer(4), new DataView(new ArrayBuffer(2))),
    fc.array(fc.nat(255), { maxLength: 8 }),
  ),
);
const countLike = some(fc.oneof(fc.nat(), fc.constantFrom(0, 1, LIMITS.maxTranscriptFileBytes + 1)));
const slowModeLike = fc.oneof(
  fc.constant(null),
  objectWith({
    bytesPerSecond: some(fc.integer({ min: 0, max: LIMITS.slowModeMaxBytesPerSecond + 1 })),
    writeSize: some(fc.integer({ min: 0, max: LIMITS.slowModeMaxWriteSize + 1 })),
  }),
  anything,
);
const STEPS = ['reliable-pipe', 'ports', 'your-port', 'speak-http', 'blank-line', 'headers-body', 'port-tour'];
const stepLike = some(fc.oneof(fc.constantFrom(...STEPS), fc.stringMatching(/^[a-z0-9-]{1,70}$/)));
const progressLike = fc.oneof(
  objectWith({
    completed: some(fc.array(stepLike, { maxLength: 6 })),
    current: fc.oneof(fc.constant(null), stepLike),
    predictions: some(fc.dictionary(fc.oneof(fc.constantFrom(...STEPS), nastyText), some(fc.string()), { maxKeys: 4 })),
    learnerName: some(fc.oneof(fc.string({ maxLength: 90 }), nastyText)),
  }),
  anything,
);
const formatLike = some(fc.constantFrom(...EXPORT_FORMATS, 'exe', 'SOCKETLAB', '.txt'));
const fileNameLike = some(
  fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('a.socketlab', '../x', 'a/b', 'a\\b')),
);

/** Arguments in the shape each command takes, broken in every way; the mapped type makes a missing one an error. */
const ARGUMENTS: { [K in CommandName]: fc.Arbitrary<unknown>[] } = {
  hello: [],
  connect: [
    fc.oneof(
      objectWith({
        host: hostLike,
        port: portLike,
        route: some(fc.constantFrom('lab', 'internet', 'LAB', 'moon')),
        timeoutMs: some(fc.integer({ min: 0, max: LIMITS.maxConnectTimeoutMs + 1 })),
        tls: some(fc.boolean()),
      }),
      anything,
    ),
  ],
  send: [idLike, bytesLike],
  end: [idLike],
  close: [idLike],
  abort: [idLike],
  listConnections: [],
  ackEvents: [countLike],
  labServers: [],
  setSlowMode: [slowModeLike],
  getProgress: [],
  saveProgress: [progressLike],
  listSessions: [],
  recoverableSessions: [],
  putAwaySession: [idLike],
  deleteSession: [idLike],
  readSession: [idLike, countLike],
  saveSession: [idLike, formatLike],
  openSessionFile: [],
  beginImport: [fileNameLike, countLike],
  importChunk: [idLike, bytesLike],
  finishImport: [idLike],
};

/** The command's arguments, mostly with the right count, sometimes one too few or too many. */
export function argumentsFor(name: CommandName): fc.Arbitrary<unknown[]> {
  const right = fc.tuple(...ARGUMENTS[name]) as fc.Arbitrary<unknown[]>;
  return fc.oneof(
    { weight: 8, arbitrary: right },
    right.map((args) => args.slice(1)),
    fc.tuple(right, anything).map(([args, extra]) => [...args, extra]),
    fc.array(anything, { maxLength: 4 }),
  );
}

/** A refusal in words a learner can read: a known code, a message and a hint, short, with nothing hidden. */
export function wellWorded(result: Result<unknown>): boolean {
  if (result.ok) return true;
  const { code, message, hint } = result.error;
  return (
    isErrorCode(code) &&
    typeof message === 'string' &&
    typeof hint === 'string' &&
    message.length > 10 &&
    hint.length > 5 &&
    message.length <= MAX_WORDS_LENGTH &&
    hint.length <= MAX_WORDS_LENGTH &&
    !HIDDEN.test(message) &&
    !HIDDEN.test(hint)
  );
}

const byteIds = new WeakMap<object, number>();
let nextByteId = 1;
/** Bytes by identity (validators pass the caller's array on, never a copy); the rest is JSON-like. */
function sameResult(a: Result<unknown>, b: Result<unknown>): boolean {
  const replacer = (_key: string, value: unknown) => {
    if (!ArrayBuffer.isView(value)) return value;
    if (!byteIds.has(value)) byteIds.set(value, nextByteId++);
    return `bytes#${byteIds.get(value)}`;
  };
  return JSON.stringify(a, replacer) === JSON.stringify(b, replacer);
}

function validatorProperty(name: CommandName): NamedProperty {
  const validate = argumentValidators[name] as (args: unknown[]) => Result<unknown[]>;
  return {
    name: `${name}: never throws, words every refusal plainly, and accepts its own output unchanged`,
    property: fc.property(argumentsFor(name), (args) => {
      const result = validate(args);
      if (!result.ok) return wellWorded(result);
      const expected = ARGUMENTS[name].length;
      return (
        Array.isArray(result.value) && result.value.length === expected && sameResult(validate(result.value), result)
      );
    }),
  };
}

/** One property per command (every command in the contract), so a failure names the command. */
export const validatorProperties: readonly NamedProperty[] = COMMAND_NAMES.map(validatorProperty);

/** Commands that only note what reached them, so the property sees exactly what dispatch passed on. */
function recordingCommands(calls: Array<{ name: CommandName; args: unknown[] }>): LabCommands {
  return Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      async (...args: unknown[]) => {
        calls.push({ name, args });
        return ok(null);
      },
    ]),
  ) as unknown as LabCommands;
}

/** A command's channel with arguments for it, or any channel (most no command's) with anything at all. */
const dispatchCase: fc.Arbitrary<{ channel: unknown; args: unknown }> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...COMMAND_NAMES)
      .chain((name) => argumentsFor(name).map((args) => ({ channel: COMMAND_CHANNELS[name], args }))),
  },
  fc.record({ channel: fc.constantFrom(...Object.values(COMMAND_CHANNELS)), args: anything }),
  fc.record({
    channel: fc.oneof(
      fc.constantFrom('shell:exec', 'lab:hello ', 'LAB:HELLO', '__proto__', 'constructor', 'toString', ''),
      fc.constantFrom(...COMMAND_NAMES),
      nastyText,
      anything,
    ),
    args: fc.oneof(fc.array(anything, { maxLength: 3 }), anything),
  }),
);

/** The one door: any channel, any arguments; a command runs only with what its validator let through. */
export const dispatchProperty = {
  name: 'dispatchCommand never throws, refuses unknown channels, and runs a command only with validated arguments',
  property: fc.asyncProperty(dispatchCase, async ({ channel, args }) => {
    const name = typeof channel === 'string' ? commandForChannel(channel) : undefined;
    const calls: Array<{ name: CommandName; args: unknown[] }> = [];
    const result = await dispatchCommand(recordingCommands(calls), channel, args);
    if (!wellWorded(result)) return false;
    if (!name) return !result.ok && result.error.code === 'UNKNOWN_COMMAND' && calls.length === 0;
    if (!Array.isArray(args)) return !result.ok && result.error.code === 'BAD_REQUEST' && calls.length === 0;
    const validated = (argumentValidators[name] as (raw: unknown[]) => Result<unknown[]>)(args);
    if (!validated.ok) return sameResult(result, validated) && calls.length === 0;
    return result.ok && calls.length === 1 && calls[0]?.name === name && sameResult(ok(calls[0].args), validated);
  }),
};
