/**
 * Properties of the lab HTTP server's request parser, for fast-check. The normal suite runs each about 10,000 times
 * (httpRequest.fuzz.test.ts); a long run sets FUZZ_RUNS (and FUZZ_SEED to replay one), which is what a
 * `npm run fuzz -- --runs N` entry point can pass on. The seed is fixed, and printed with any failure.
 */
import fc from 'fast-check';
import {
  decodeLabPath,
  parseRequestHead,
  RequestHeadReader,
  type HeadParse,
} from '../../../../src/main/core/labServers/httpRequest';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_251_201);

/** Runs per property: FUZZ_RUNS, else `--runs N` on the command line, else the normal suite's 10,000. */
export function fuzzRuns(normal = 10_000): number {
  const flag = process.argv.indexOf('--runs');
  const text = process.env.FUZZ_RUNS ?? (flag === -1 ? undefined : process.argv[flag + 1]);
  const runs = Number(text);
  return text !== undefined && Number.isInteger(runs) && runs > 0 ? runs : normal;
}

/** Pieces requests are made of, so random input often gets deep into the parser instead of failing at byte one. */
const PIECES = [
  'GET',
  'HEAD',
  'POST',
  'CONNECT',
  'get',
  ' ',
  '  ',
  '\t',
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\n\n',
  '/',
  '/romeo.txt',
  '/../',
  '%2e%2e',
  '%2f',
  '%5c',
  '%00',
  '%',
  '\\',
  '?x=1',
  '#frag',
  'http://',
  'https://',
  'HTTP://',
  'data.pr4e.org',
  '127.0.0.1:8080',
  '[::1]:80',
  'www.py4e.com:443',
  'HTTP/1.0',
  'HTTP/1.1',
  'HTTP/2.0',
  'HTTP/1',
  'Host:',
  'Host: data.pr4e.org',
  'Content-Length: ',
  'Transfer-Encoding: chunked',
  'Connection: close',
  'Range: bytes=0-9',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  ':',
  '0',
  '65536',
  '99999999999',
  '\x00',
  '\x7f',
  '\xff',
];

/** Bytes that look like requests, broken in every way. */
export const requestLikeBytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
    ),
    { maxLength: 60 },
  )
  .map((pieces) => Uint8Array.from(Buffer.from(pieces.join(''), 'latin1')));

const anyBytes = fc.oneof(requestLikeBytes, fc.uint8Array({ maxLength: 512 }));

/** A parse result as plain data, so two can be compared (headers are a Map). */
export function plain(parsed: HeadParse): unknown {
  if (parsed.kind !== 'request') return parsed;
  return { ...parsed.request, headers: [...parsed.request.headers.entries()] };
}

function wellFormed(parsed: HeadParse): boolean {
  if (parsed.kind === 'incomplete') return true;
  if (parsed.kind === 'refused') {
    return [400, 501, 505].includes(parsed.status) && parsed.why.length > 10 && !/[\r\n]/.test(parsed.reason ?? '');
  }
  const { request } = parsed;
  return (
    ['GET', 'HEAD'].includes(request.method) &&
    ['1.0', '1.1'].includes(request.version) &&
    request.rawPath.startsWith('/') &&
    request.headBytes > 0 &&
    request.bodyBytes >= 0
  );
}

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
const headerName = fc.oneof(
  token,
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'X-Lab', 'Accept', 'User-Agent'),
);
const headerValue = fc
  .string({ unit: fc.constantFrom(...'abc XYZ 0123456789 /:;,=-_.*"\t'.split('')), maxLength: 30 })
  .map((value) => value.trim());
const pathSegment = fc.string({ unit: fc.constantFrom(...'abcdefxyz0123456789-_.~'.split('')), maxLength: 10 });

export interface GeneratedRequest {
  bytes: Uint8Array;
  method: 'GET' | 'HEAD';
  target: string;
  version: '1.0' | '1.1';
  headers: Array<[string, string]>;
}

/** Requests the parser must read exactly, with `\r\n` or a bare `\n` at each line's end. */
export const wellFormedRequest: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method: fc.constantFrom('GET' as const, 'HEAD' as const),
    absolute: fc.boolean(),
    segments: fc.array(pathSegment, { maxLength: 4 }),
    version: fc.constantFrom('1.0' as const, '1.1' as const),
    headers: fc.uniqueArray(fc.tuple(headerName, headerValue), {
      maxLength: 6,
      selector: ([name]) => name.toLowerCase(),
    }),
    endings: fc.array(fc.constantFrom('\r\n', '\n'), { minLength: 8, maxLength: 8 }),
  })
  .map(({ method, absolute, segments, version, headers, endings }) => {
    const path = `/${segments.filter((segment) => segment !== '.' && segment !== '..').join('/')}`;
    const target = absolute ? `http://data.pr4e.org${path}` : path;
    // HTTP/1.1 needs exactly one Host, and the parser refuses some header names' values: keep those out.
    const kept = headers.filter(
      ([name]) => !['host', 'content-length', 'transfer-encoding'].includes(name.toLowerCase()),
    );
    const all: Array<[string, string]> = version === '1.1' ? [['Host', 'data.pr4e.org'], ...kept] : kept;
    const lines = [`${method} ${target} HTTP/${version}`, ...all.map(([name, value]) => `${name}: ${value}`), ''];
    const text = lines.map((line, index) => `${line}${endings[index % endings.length] as string}`).join('');
    return { bytes: Uint8Array.from(Buffer.from(text, 'latin1')), method, target, version, headers: all };
  });

/** Cut points for feeding bytes in pieces. */
const cuts = fc.array(fc.nat(), { maxLength: 12 });

function inPieces(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(last, point));
    last = point;
  }
  return pieces;
}

export const httpRequestProperties: ReadonlyArray<{ name: string; property: fc.IRawProperty<unknown[]> }> = [
  {
    name: 'never throws, and answers incomplete, a request it can serve, or a refusal in words',
    property: fc.property(anyBytes, fc.integer({ min: 1, max: 4096 }), (bytes, max) =>
      wellFormed(parseRequestHead(bytes, max)),
    ),
  },
  {
    name: 'reading the bytes in any pieces gives what reading them at once gives',
    property: fc.property(anyBytes, cuts, fc.integer({ min: 1, max: 4096 }), (bytes, at, max) => {
      const reader = new RequestHeadReader(max);
      let last: HeadParse = { kind: 'incomplete' };
      for (const piece of inPieces(bytes, at)) last = reader.push(piece);
      const whole = new RequestHeadReader(max);
      const once = whole.push(bytes);
      return (
        JSON.stringify(plain(last)) === JSON.stringify(plain(once)) &&
        Buffer.from(reader.takeRest()).equals(Buffer.from(whole.takeRest()))
      );
    }),
  },
  {
    name: 'a well-formed request reads back exactly, whatever its header names, and in any pieces',
    property: fc.property(wellFormedRequest, cuts, (generated, at) => {
      const reader = new RequestHeadReader(16 * 1024);
      let parsed: HeadParse = { kind: 'incomplete' };
      for (const piece of inPieces(generated.bytes, at)) parsed = reader.push(piece);
      if (parsed.kind !== 'request') return false;
      const { request } = parsed;
      const expected = new Map<string, string[]>();
      for (const [name, value] of generated.headers) expected.set(name.toLowerCase(), [value]);
      return (
        request.method === generated.method &&
        request.target === generated.target &&
        request.version === generated.version &&
        request.headBytes === generated.bytes.length &&
        JSON.stringify([...request.headers.entries()]) === JSON.stringify([...expected.entries()])
      );
    }),
  },
  {
    name: 'a path never decodes to a key that climbs out, holds NUL or a backslash',
    property: fc.property(
      fc.oneof(
        fc.string({ maxLength: 40 }).map((text) => `/${text}`),
        fc
          .array(fc.constantFrom('/', '..', '.', '%2e', '%2E', '%2f', '%5c', '%00', '%25', 'a', '\\', '%c0%ae'), {
            maxLength: 12,
          })
          .map((pieces) => `/${pieces.join('')}`),
      ),
      (rawPath) => {
        const lookup = decodeLabPath(rawPath);
        if (lookup.kind !== 'path') return true;
        const segments = lookup.path.split('/');
        return (
          lookup.path.startsWith('/') &&
          !segments.includes('..') &&
          !segments.includes('.') &&
          !lookup.path.includes('\0') &&
          !lookup.path.includes('\\')
        );
      },
    ),
  },
];

/** Runs every property `runs` times from the fixed seed; a failure throws with the seed and the smallest case. */
export function checkHttpRequestProperties(runs: number = fuzzRuns()): void {
  for (const { name, property } of httpRequestProperties) {
    try {
      fc.assert(property, { numRuns: runs, seed: FUZZ_SEED });
    } catch (error) {
      throw new Error(
        `HTTP request parser property failed: ${name} (seed ${FUZZ_SEED}, ${runs} runs)\n${String(error)}`,
      );
    }
  }
}
