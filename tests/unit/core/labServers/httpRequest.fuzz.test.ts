/**
 * The request parser fuzzed (httpRequest.properties.ts, about 10,000 cases a property; FUZZ_RUNS for more), then
 * the same kind of bytes sent to a real lab HTTP server over loopback. Afterwards the server still answers a normal
 * request, and Object.prototype is untouched.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHttpRequestProperties,
  FUZZ_SEED,
  fuzzRuns,
  httpRequestProperties,
  requestLikeBytes,
} from './httpRequest.properties';
import { RawClient, exchange, splitReply, startTestLab, type TestLab } from './helpers';

const RUNS = fuzzRuns();
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab({ http: { idleTimeoutMs: 500, firstLineTimeoutMs: 500, headTimeoutMs: 500 } });
});

afterAll(async () => {
  await lab.servers.stop();
});

describe(`the request parser, fuzzed (${RUNS} runs a property, seed ${FUZZ_SEED})`, () => {
  for (const { name } of httpRequestProperties) {
    it(name, () => {
      const only = httpRequestProperties.filter((entry) => entry.name === name);
      expect(only).toHaveLength(1);
      fc.assert((only[0] as (typeof httpRequestProperties)[number]).property, { numRuns: RUNS, seed: FUZZ_SEED });
    });
  }

  it('the runner a long fuzz run uses checks them all', () => {
    expect(() => checkHttpRequestProperties(50)).not.toThrow();
  });
});

describe('the lab HTTP server, fed fuzzed bytes over loopback', () => {
  it('answers each with a whole HTTP reply or a clean close, then still answers a normal request', async () => {
    const port = lab.port('http');
    // Over sockets each case costs a connection; a few hundred cover the kinds of answer.
    const cases = fc.sample(requestLikeBytes, { numRuns: Math.max(200, Math.floor(RUNS / 50)), seed: FUZZ_SEED });
    for (const bytes of cases) {
      const client = await RawClient.connect(port);
      try {
        client.send(bytes);
        // Half-close: whatever came is all there is, so the server answers it or closes now.
        client.socket.end();
        const reply = await client.readToEnd(5_000);
        if (reply.length > 0) {
          const text = reply.toString('latin1');
          expect(text, JSON.stringify(Buffer.from(bytes).toString('latin1'))).toMatch(/^HTTP\/1\.1 [2-5]\d\d /);
          expect(() => splitReply(reply)).not.toThrow();
        }
      } finally {
        client.close();
      }
    }
    const reply = splitReply(await exchange(port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'));
    expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
    expect(reply.body.length).toBe(167);
  });

  it('leaves Object.prototype untouched', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    const probe: Record<string, unknown> = {};
    for (const name of ['polluted', 'x-lab', 'host', 'content-length']) expect(probe[name]).toBeUndefined();
  });
});
