/**
 * Every step check, fed with events recorded from a real ConnectionHub talking to the real lab servers on
 * loopback, as a learner's session would produce them. Each check must stay red before the step's action and
 * turn green after it.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import { startLabServers, type LabServers } from '../../../../src/main/core/labServers';
import type { LabEvent, LabServerInfo, Route } from '../../../../src/shared/contract';
import { parseEscapedText } from '../../../../src/shared/escapes';
import {
  misdirectedRequest,
  type CheckContext,
  type StepCheck,
} from '../../../../src/renderer/src/features/guide/checkHelpers';
import { checkReliablePipe } from '../../../../src/renderer/src/features/guide/steps/01-reliable-pipe';
import { checkPorts } from '../../../../src/renderer/src/features/guide/steps/02-ports';
import { checkYourPort } from '../../../../src/renderer/src/features/guide/steps/03-your-port';
import { compareStatusLine, makeSpeakHttpCheck } from '../../../../src/renderer/src/features/guide/steps/04-speak-http';
import { BLANK_LINE_WAIT_MS, checkBlankLine } from '../../../../src/renderer/src/features/guide/steps/05-blank-line';
import {
  makeHeadersBodyCheck,
  predictedNumber,
} from '../../../../src/renderer/src/features/guide/steps/06-headers-body';
import { checkWhoCloses } from '../../../../src/renderer/src/features/guide/steps/07-who-closes';
import { checkWhenThingsGoWrong } from '../../../../src/renderer/src/features/guide/steps/08-errors';
import { checkBytes } from '../../../../src/renderer/src/features/guide/steps/09-bytes';
import { checkUrllib } from '../../../../src/renderer/src/features/guide/steps/10-urllib';
import { checkPortTour } from '../../../../src/renderer/src/features/guide/steps/11-port-tour';
import { STEP_IDS, STEPS, splitCode } from '../../../../src/renderer/src/features/guide/steps';

let servers: LabServers;
let infos: LabServerInfo[];

beforeAll(async () => {
  servers = await startLabServers({ host: '127.0.0.1' });
  infos = servers.info();
});
afterAll(async () => {
  await servers.stop();
});

/** One learner session: a hub whose events are recorded in order, with a clock the test moves by hand. */
class Session {
  readonly events: LabEvent[] = [];
  clock = 0;
  readonly hub = new ConnectionHub({
    emit: (event) => this.events.push(event),
    route: (host, port) => servers.route(host, port),
    now: () => this.clock,
  });

  async connect(host: string, port: number, route: Route = 'lab', tls = false): Promise<string> {
    const result = this.hub.connect({ host, port, route, timeoutMs: 5000, ...(tls ? { tls: true } : {}) });
    if (!result.ok) throw new Error(result.error.message);
    const id = result.value.id;
    await this.until(() => this.events.some((e) => e.id === id && (e.type === 'connected' || e.type === 'closed')));
    return id;
  }

  send(id: string, escaped: string): void {
    const parsed = parseEscapedText(escaped);
    if (!parsed.ok) throw new Error(parsed.error);
    const sent = this.hub.send(id, parsed.bytes);
    if (!sent.ok) throw new Error(sent.error.message);
  }

  received(id: string): number {
    return this.events.reduce(
      (n, e) => n + (e.id === id && e.type === 'data' && e.dir === 'in' ? e.bytes.length : 0),
      0,
    );
  }

  has(id: string, type: LabEvent['type']): boolean {
    return this.events.some((e) => e.id === id && e.type === type);
  }

  async until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const started = Date.now();
    while (!condition()) {
      if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the session');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Lets any bytes in flight arrive (for checking that nothing came). */
  settle(ms = 150): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  dispose(): void {
    this.hub.dispose();
  }
}

function context(predictions: CheckContext['predictions'] = {}): CheckContext {
  return { labServers: infos, predictions };
}

function portOf(kind: LabServerInfo['kind']): number {
  const info = infos.find((entry) => entry.kind === kind);
  if (!info) throw new Error(`no ${kind} server`);
  return info.port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const ROMEO = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n';

let session: Session;
beforeEach(() => {
  session?.dispose();
  session = new Session();
});

function expectRed(check: StepCheck, ctx = context()): void {
  const result = check(session.events, ctx);
  expect(result.passed, result.detail).toBe(false);
  expect(result.detail.length).toBeGreaterThan(0);
}

function expectGreen(check: StepCheck, ctx = context()): string {
  const result = check(session.events, ctx);
  expect(result.passed, result.detail).toBe(true);
  expect(result.parts.every((part) => part.done)).toBe(true);
  return result.detail;
}

describe('the steps', () => {
  it('are the eleven of the design, in order, each with a task and a check', () => {
    expect(STEPS.map((step) => step.id)).toEqual([
      'reliable-pipe',
      'ports',
      'your-port',
      'speak-http',
      'blank-line',
      'headers-body',
      'who-closes',
      'errors',
      'bytes',
      'urllib',
      'port-tour',
    ]);
    // STEP_IDS is read off STEPS: the saved progress and the step buttons name the same steps, in the same order.
    expect(STEP_IDS).toEqual(STEPS.map((step) => step.id));
    expect(STEPS.map((step) => step.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const step of STEPS) {
      expect(step.explain.length).toBeGreaterThan(0);
      expect(step.task(infos).length).toBeGreaterThan(0);
      // Every `code` span is closed.
      for (const line of [...step.explain, ...step.task(infos)]) expect(line.split('`').length % 2).toBe(1);
      expect(step.check([], context()).passed).toBe(false);
    }
    expect(STEPS.filter((step) => step.prediction).map((step) => step.id)).toEqual(['speak-http', 'headers-body']);
  });

  it('ask for each prediction before its answer can be on screen', () => {
    const text = (id: string) => {
      const step = STEPS.find((entry) => entry.id === id)!;
      return [...step.explain, ...step.task(infos)].join(' ');
    };
    // Before step 4 nothing is sent to the web server; steps 4 and 5 use page1.htm, so romeo.txt's
    // Content-Length is first seen after step 6 asks for it.
    for (const id of ['reliable-pipe', 'ports', 'your-port']) expect(text(id)).not.toMatch(/GET|HTTP\/1\.1/);
    for (const id of ['speak-http', 'blank-line']) {
      expect(text(id)).toContain('page1.htm');
      expect(text(id)).not.toContain('romeo.txt');
    }
    // Step 6 shows romeo.txt's four lines, so its length can be worked out: exactly the lab's file.
    const romeo = readFileSync(path.resolve(__dirname, '../../../../src/main/core/labServers/content/romeo.txt'));
    expect(STEPS.find((step) => step.id === 'headers-body')?.code?.[0]?.text).toBe(romeo.toString('utf8'));
  });

  it('tell the learner the lab servers’ real ports', () => {
    const ports = STEPS.find((step) => step.id === 'ports')!;
    const text = ports.task(infos).join(' ');
    expect(text).toContain(`port \`${portOf('http')}\``);
    expect(text).toContain(`port \`${portOf('echo')}\``);
    expect(ports.task([]).join(' ')).toContain('appears here once the lab has started');
    expect(splitCode('send `hello` now')).toEqual([
      { code: false, text: 'send ' },
      { code: true, text: 'hello' },
      { code: false, text: ' now' },
    ]);
  });
});

describe('what a step counts', () => {
  it('counts only connections opened, or sent on, while the step was on screen', async () => {
    const before = await session.connect('echo.lab.test', 7);
    const visit = [{ from: session.events.length, to: Infinity }];
    // Opened before the step was reached: it does not count, so the step does not arrive half done.
    expect(checkYourPort(session.events, { ...context(), visits: visit }).parts[0]?.done).toBe(false);
    await session.connect('echo.lab.test', 7);
    expect(checkYourPort(session.events, { ...context(), visits: visit }).parts.map((part) => part.done)).toEqual([
      true,
      false,
    ]);
    // Sending on the earlier connection during the visit brings it in.
    session.send(before, 'hello\\r\\n');
    session.send(before, 'again\\r\\n');
    await session.until(() => session.received(before) === 14);
    expectGreen(checkReliablePipe, { ...context(), visits: visit });
    // A visit in which the learner neither opened nor sent on it counts none of it.
    expectRed(checkReliablePipe, { ...context(), visits: [{ from: 1, to: 2 }] });
  });

  it('says so when an HTTP request went to the echo server, and where to send it instead', async () => {
    const echo = await session.connect('echo.lab.test', 7);
    session.send(echo, 'hello\\r\\n');
    session.send(echo, ROMEO);
    await session.until(() => session.received(echo) === 7 + 47);
    const words =
      'Your GET went to echo.lab.test port 7: the echo server, which sent it back. Connect to data.pr4e.org port 80 and send it there.';
    expect(misdirectedRequest(session.events, context())).toBe(words);
    const prediction = { 'speak-http': { text: 'HTTP/1.1 200 OK', fromEvent: 0 } };
    expect(makeSpeakHttpCheck('speak-http')(session.events, context(prediction)).detail).toBe(words);
    // Once the newest request went to the web server, the hint is gone.
    const http = await session.connect('data.pr4e.org', 80);
    session.send(http, ROMEO);
    await session.until(() => session.has(http, 'peer-ended'));
    expect(misdirectedRequest(session.events, context())).toBeNull();
    expect(expectGreen(makeSpeakHttpCheck('speak-http'), context(prediction))).toContain(
      'You asked in HTTP/1.0 and the server said HTTP/1.1: a server names the highest version it speaks',
    );
  });
});

describe('1 a reliable pipe', () => {
  it('needs two sends to the echo server and every byte back, in order', async () => {
    expectRed(checkReliablePipe);
    const id = await session.connect('echo.lab.test', 7);
    expectRed(checkReliablePipe);
    session.send(id, 'hello\\r\\n');
    await session.until(() => session.received(id) === 7);
    expectRed(checkReliablePipe);
    session.send(id, 'second try\\r\\n');
    await session.until(() => session.received(id) === 19);
    expect(expectGreen(checkReliablePipe)).toContain('19 bytes in 2 sends');
  });

  it('does not count an HTTP server (it does not echo)', async () => {
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n');
    session.send(id, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n');
    await session.until(() => session.received(id) > 400);
    expectRed(checkReliablePipe);
  });
});

describe('2 ports', () => {
  it('needs the HTTP server and the echo server on their ports, and a refusal', async () => {
    // The web server is only connected to: its answer is step 4's to predict.
    await session.connect('127.0.0.1', portOf('http'));
    expect(checkPorts(session.events, context()).parts.map((part) => part.done)).toEqual([true, false, false]);
    const echo = await session.connect('127.0.0.1', portOf('echo'));
    session.send(echo, 'hello\\r\\n');
    await session.until(() => session.received(echo) === 7);
    const partial = checkPorts(session.events, context());
    expect(partial.passed).toBe(false);
    expect(partial.parts.map((part) => part.done)).toEqual([true, true, false]);
    const port = await closedPort();
    const refused = await session.connect('127.0.0.1', port);
    expect(session.has(refused, 'error')).toBe(true);
    const detail = expectGreen(checkPorts);
    expect(detail).toContain(`port ${port} refused`);
    expect(detail).toContain(`127.0.0.1 port ${portOf('echo')}`);
  });
});

describe('3 your side has a port too', () => {
  it('needs two connections open at once to the same server', async () => {
    const first = await session.connect('echo.lab.test', 7);
    expectRed(checkYourPort);
    session.hub.close(first);
    await session.until(() => session.has(first, 'closed'));
    const second = await session.connect('echo.lab.test', 7);
    // One after the other is not "at once".
    expectRed(checkYourPort);
    const third = await session.connect('echo.lab.test', 7);
    const detail = expectGreen(checkYourPort);
    const local = (id: string) =>
      (session.events.find((e) => e.id === id && e.type === 'connected') as Extract<LabEvent, { type: 'connected' }>)
        .local.port;
    expect(detail).toContain(`port ${local(second)}`);
    expect(detail).toContain(`port ${local(third)}`);
  });
});

describe('4 speak HTTP (predict, then send)', () => {
  const check = makeSpeakHttpCheck('speak-http');

  it('needs a prediction first, then a GET answered with a status line, headers and the blank line', async () => {
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, ROMEO);
    await session.until(() => session.has(id, 'peer-ended'));
    // The answer is here but nothing was predicted before it.
    expectRed(check);
    const late = { 'speak-http': { text: 'HTTP/1.1 200 OK', fromEvent: session.events.length } };
    const lateResult = check(session.events, context(late));
    expect(lateResult.passed).toBe(false);
    expect(lateResult.detail).toMatch(/Now send the request: only an answer that comes after your prediction counts/);
    expect(lateResult.parts.map((part) => part.done)).toEqual([true, false, false]);

    const again = await session.connect('data.pr4e.org', 80);
    session.send(again, ROMEO);
    await session.until(() => session.has(again, 'peer-ended'));
    expect(expectGreen(check, context(late))).toMatch(
      /exactly right.*header lines, the blank line, and 167 bytes of body/,
    );
  });

  it('compares a prediction with the status line in plain words', () => {
    const response = {
      startLineText: 'HTTP/1.1 200 OK',
      startLine: { kind: 'status', version: 'HTTP/1.1', status: 200, reason: 'OK' },
    };
    const compare = (text: string) => compareStatusLine(text, response as Parameters<typeof compareStatusLine>[1]);
    expect(compare('  http/1.1   200 ok ').matches).toBe(true);
    expect(compare('HTTP/1.0 200 OK').words).toContain('The status code 200 is right.');
    expect(compare('a web page').words).toBe('You predicted "a web page"; the server said "HTTP/1.1 200 OK".');
  });
});

describe('5 the blank line matters', () => {
  it('needs the request line alone, a quiet wait, then the blank line and the answer', async () => {
    // Sending the whole request at once does not show the wait.
    const whole = await session.connect('data.pr4e.org', 80);
    session.send(whole, ROMEO);
    await session.until(() => session.has(whole, 'peer-ended'));
    expectRed(checkBlankLine);

    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n');
    await session.settle();
    expect(session.received(id)).toBe(0);
    let result = checkBlankLine(session.events, context());
    expect(result.parts.map((part) => part.done)).toEqual([true, false, false]);
    session.clock += BLANK_LINE_WAIT_MS + 500;
    session.send(id, '\\r\\n');
    await session.until(() => session.has(id, 'peer-ended'));
    expect(expectGreen(checkBlankLine)).toContain('Nothing came back for 1.5 seconds');
    result = checkBlankLine(session.events, context());
    expect(result.passed).toBe(true);
  });

  it('is not passed when the blank line follows too quickly', async () => {
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET /romeo.txt HTTP/1.0\\r\\n');
    session.clock += 200;
    session.send(id, '\\r\\n');
    await session.until(() => session.has(id, 'peer-ended'));
    expectRed(checkBlankLine);
  });
});

describe('6 headers, then body (predict Content-Length)', () => {
  const check = makeHeadersBodyCheck('headers-body');

  it('compares the predicted Content-Length with romeo.txt’s 167', async () => {
    const prediction = { 'headers-body': { text: 'about 150 bytes', fromEvent: 0 } };
    expectRed(check, context(prediction));
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET http://data.pr4e.org/intro-short.txt HTTP/1.0\\r\\n\\r\\n');
    await session.until(() => session.has(id, 'peer-ended'));
    // Another file does not count.
    expectRed(check, context(prediction));
    const romeo = await session.connect('data.pr4e.org', 80);
    session.send(romeo, ROMEO);
    await session.until(() => session.has(romeo, 'peer-ended'));
    expectRed(check, context());
    expect(expectGreen(check, context(prediction))).toMatch(
      /You predicted 150; the server said Content-Length: 167\..*its 167 bytes match Content-Length/,
    );
    expect(expectGreen(check, context({ 'headers-body': { text: '167', fromEvent: 0 } }))).toMatch(
      /^You predicted 167: right\./,
    );
  });

  it('reads numbers from what a learner types', () => {
    expect(predictedNumber('Content-Length: 167')).toBe(167);
    expect(predictedNumber('1,024 bytes')).toBe(1024);
    expect(predictedNumber('no idea')).toBeNull();
  });
});

describe('7 who closes?', () => {
  it('needs the server to close after HTTP/1.0 and to keep HTTP/1.1 open for a second request', async () => {
    const old = await session.connect('data.pr4e.org', 80);
    session.send(old, ROMEO);
    await session.until(() => session.has(old, 'peer-ended'));
    let result = checkWhoCloses(session.events, context());
    expect(result.parts.map((part) => part.done)).toEqual([true, false]);

    const modern = await session.connect('data.pr4e.org', 80);
    const request = 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n';
    session.send(modern, request);
    await session.until(() => session.received(modern) > 167);
    await session.settle();
    expect(session.has(modern, 'peer-ended')).toBe(false);
    expectRed(checkWhoCloses);
    session.send(modern, request);
    await session.until(() => session.received(modern) > 2 * 167 + 300);
    result = checkWhoCloses(session.events, context());
    expect(result.passed).toBe(true);
    expect(result.detail).toContain('A second request on the same connection got a second answer');
  });

  it('also counts an HTTP/1.1 connection the learner closed first', async () => {
    const old = await session.connect('data.pr4e.org', 80);
    session.send(old, ROMEO);
    await session.until(() => session.has(old, 'peer-ended'));
    const modern = await session.connect('data.pr4e.org', 80);
    session.send(modern, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n');
    await session.until(() => session.received(modern) > 167);
    session.hub.close(modern);
    await session.until(() => session.has(modern, 'closed'));
    expect(expectGreen(checkWhoCloses)).toContain('kept the connection open until you closed it');
  });

  it('does not count HTTP/1.1 with Connection: close (the server closes that one)', async () => {
    const old = await session.connect('data.pr4e.org', 80);
    session.send(old, ROMEO);
    await session.until(() => session.has(old, 'peer-ended'));
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\nConnection: close\\r\\n\\r\\n');
    await session.until(() => session.has(id, 'peer-ended'));
    session.hub.close(id);
    await session.until(() => session.has(id, 'closed'));
    expectRed(checkWhoCloses);
  });
});

describe('8 when things go wrong', () => {
  it('needs a 404 and a refusal, and names the extras it saw', async () => {
    const missing = await session.connect('data.pr4e.org', 80);
    session.send(missing, 'GET http://data.pr4e.org/no-such-page.htm HTTP/1.0\\r\\n\\r\\n');
    await session.until(() => session.has(missing, 'peer-ended'));
    expectRed(checkWhenThingsGoWrong);
    const bad = await session.connect('data.pr4e.org', 80);
    session.send(bad, 'GET /romeo.txt http/1.0\\r\\n\\r\\n');
    await session.until(() => session.has(bad, 'peer-ended'));
    expectRed(checkWhenThingsGoWrong);
    await session.connect('127.0.0.1', await closedPort());
    expect(expectGreen(checkWhenThingsGoWrong)).toContain('You also met a 400');
  });
});

describe('9 bytes, not characters', () => {
  it('needs the whole of cover3.jpg, whose body starts FF D8 FF', async () => {
    const page = await session.connect('data.pr4e.org', 80);
    session.send(page, 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n');
    await session.until(() => session.has(page, 'peer-ended'));
    expectRed(checkBytes);
    const id = await session.connect('data.pr4e.org', 80);
    session.send(id, 'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\\r\\n\\r\\n');
    await session.until(() => session.has(id, 'peer-ended'), 10_000);
    // The image alone is not enough: the small answer must also arrive in pieces, slowed down; the words say
    // what is missing, not "waiting" for the image that is here.
    expectRed(checkBytes);
    expect(checkBytes(session.events, context()).detail).toBe(
      'The whole image is here. Now set the lab HTTP server speed to Slow, connect again and ask for romeo.txt.',
    );
    const fast = await session.connect('data.pr4e.org', 80);
    session.send(fast, ROMEO);
    await session.until(() => session.has(fast, 'peer-ended'));
    expectRed(checkBytes);
    servers.setSlowMode({ bytesPerSecond: 20_000, writeSize: 100 });
    try {
      const slow = await session.connect('data.pr4e.org', 80);
      session.send(slow, ROMEO);
      await session.until(() => session.has(slow, 'peer-ended'), 10_000);
    } finally {
      servers.setSlowMode(null);
    }
    const detail = expectGreen(checkBytes);
    expect(detail).toMatch(/The body is 230,210 bytes and starts FF D8 FF/);
    expect(detail).toMatch(/Slowed down, 535 bytes came in \d+ pieces/);
  });
  it('does not take four quick answers on one keep-alive connection for one answer trickled out by slow mode', async () => {
    const id = await session.connect('data.pr4e.org', 80);
    for (let n = 1; n <= 4; n += 1) {
      session.send(id, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n');
      // Each HTTP/1.1 answer is 564 bytes (the HTTP/1.0 one, 535, says Connection: close instead of keep-alive).
      await session.until(() => session.received(id) >= n * 564);
      await session.settle(20);
    }
    const slowPart = checkBytes(session.events, context()).parts[2];
    expect(slowPart?.label).toMatch(/slow mode/);
    expect(slowPart?.done).toBe(false);
  });
});

describe('10 let urllib do it', () => {
  it('needs urllib’s HTTP/1.1 request with Host, Connection: close, Accept-Encoding: identity, and the close', async () => {
    const plain = await session.connect('data.pr4e.org', 80);
    session.send(plain, 'GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n');
    await session.until(() => session.received(plain) > 167);
    expect(checkUrllib(session.events, context()).parts.map((part) => part.done)).toEqual([true, false, false, false]);
    const id = await session.connect('data.pr4e.org', 80);
    session.send(
      id,
      'GET /romeo.txt HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\nHost: data.pr4e.org\\r\\nUser-Agent: Python-urllib/3.11\\r\\nConnection: close\\r\\n\\r\\n',
    );
    await session.until(() => session.has(id, 'peer-ended'));
    expect(expectGreen(checkUrllib)).toMatch(/hand your program only the 167 bytes of body/);
  });
});

describe('11 a tour of common ports', () => {
  async function greetings(): Promise<void> {
    const smtp = await session.connect('mail.lab.test', 25);
    await session.until(() => session.received(smtp) > 0);
    const pop = await session.connect('mail.lab.test', 110);
    await session.until(() => session.received(pop) > 0);
  }

  /** A plain GET to port 443: the lab TLS server answers with a TLS alert and the hub says TLS_EXPECTED. */
  async function plainOn443(): Promise<void> {
    const plain = await session.connect('data.pr4e.org', 443);
    session.send(plain, ROMEO);
    await session.until(() => session.has(plain, 'closed'));
    expect(session.events.find((e) => e.id === plain && e.type === 'error')).toMatchObject({ code: 'TLS_EXPECTED' });
  }

  async function romeoInsideTls(): Promise<void> {
    const secure = await session.connect('data.pr4e.org', 443, 'lab', true);
    await session.until(() => session.has(secure, 'tls'));
    session.send(secure, ROMEO);
    await session.until(() => session.has(secure, 'peer-ended'));
  }

  it('needs the SMTP-style 220 and the POP-style +OK greetings', async () => {
    const smtp = await session.connect('mail.lab.test', 25);
    await session.until(() => session.received(smtp) > 0);
    const partial = checkPortTour(session.events, context());
    expect(partial.parts.map((part) => part.done)).toEqual([true, false, false, false]);
    const pop = await session.connect('mail.lab.test', 110);
    await session.until(() => session.received(pop) > 0);
    expect(checkPortTour(session.events, context()).parts.map((part) => part.done)).toEqual([true, true, false, false]);
    expectRed(checkPortTour);
  });

  it('then 443: a plain GET gets the TLS alert, and the same GET inside TLS gets 200; only in that order', async () => {
    await greetings();
    await plainOn443();
    const half = checkPortTour(session.events, context());
    expect(half.parts.map((part) => part.done)).toEqual([true, true, true, false]);
    expect(half.detail).toMatch(/Now switch TLS on/);
    await romeoInsideTls();
    expect(expectGreen(checkPortTour)).toMatch(/server wants TLS 1\.3 first: your plain GET got an alert/);
  });

  it('a TLS answer before the plain attempt does not count until it is done again after it', async () => {
    await greetings();
    await romeoInsideTls();
    const early = checkPortTour(session.events, context());
    expect(early.parts.map((part) => part.done)).toEqual([true, true, false, false]);
    expect(early.detail).toMatch(/try it with TLS off/);
    await plainOn443();
    expectRed(checkPortTour);
    await romeoInsideTls();
    expectGreen(checkPortTour);
  });

  it('a plain connection to another port that says nothing of TLS is not the 443 part', async () => {
    await greetings();
    const http = await session.connect('data.pr4e.org', 80);
    session.send(http, ROMEO);
    await session.until(() => session.has(http, 'peer-ended'));
    expect(checkPortTour(session.events, context()).parts[2]?.done).toBe(false);
  });
});
