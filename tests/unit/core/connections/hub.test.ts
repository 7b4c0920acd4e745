import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../../src/shared/contract';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import {
  EventLog,
  noRoute,
  closedPort,
  failingLookup,
  makeHub,
  request,
  silentLookup,
  startServer,
  valueOf,
  type LoopbackServer,
} from './loopback';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(onConnection: (socket: Socket) => void): Promise<LoopbackServer> {
  const started = await startServer(onConnection);
  cleanups.push(() => started.close());
  return started;
}

function hubWith(...args: Parameters<typeof makeHub>): ReturnType<typeof makeHub> {
  const made = makeHub(...args);
  cleanups.push(() => made.hub.dispose());
  return made;
}

/** Collects what a server socket receives, and whether our FIN reached it. */
function recorder(socket: Socket): { bytes: () => Buffer; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
  return { bytes: () => Buffer.concat(chunks), ended };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ConnectionHub on real loopback sockets', () => {
  it('reports a normal exchange, in order, byte for byte', async () => {
    let serverSide: ReturnType<typeof recorder> | undefined;
    const srv = await server((socket) => {
      serverSide = recorder(socket);
      socket.once('data', () => socket.end('hi there\r\n'));
    });
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    expect(id).toMatch(UUID);

    const connected = await log.next(id, 'connected');
    expect(connected.local.address).toBe('127.0.0.1');
    expect(connected.local.family).toBe('IPv4');
    expect(connected.local.port).toBeGreaterThan(0);
    expect(connected.remote).toEqual({ address: '127.0.0.1', port: srv.port, family: 'IPv4' });
    expect(connected.route).toBe('lab');
    expect(connected.answeredBy).toBeUndefined();
    expect(connected.elapsedMs).toBeGreaterThanOrEqual(0);

    expect(valueOf(hub.send(id, Buffer.from('hello\r\n')))).toEqual({ offset: 0, length: 7 });
    await log.next(id, 'peer-ended');
    expect(log.bytes(id, 'in').toString()).toBe('hi there\r\n');
    expect(hub.list()).toMatchObject([
      { id, state: 'half-closed', peerEnded: true, localEnded: false, bytesIn: 10, bytesOut: 7 },
    ]);

    valueOf(hub.close(id));
    const closed = await log.next(id, 'closed');
    expect(closed.by).toBe('local');
    await serverSide?.ended;
    expect(serverSide?.bytes().toString()).toBe('hello\r\n');

    expect(log.shape(id)).toEqual([
      'resolving',
      'resolved',
      'connecting',
      'connected',
      'data-out',
      'data-in',
      'peer-ended',
      'local-ended',
      'closed',
    ]);
    const events = log.of(id);
    expect(events[0]).toMatchObject({ type: 'resolving', host: '127.0.0.1' });
    expect(events[1]).toMatchObject({ type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' });
    expect(events[2]).toMatchObject({ type: 'connecting', address: '127.0.0.1', port: srv.port, route: 'lab' });
    expect(events[4]).toMatchObject({ type: 'data', dir: 'out', offset: 0 });
    const times = events.map((event) => event.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Received bytes are our own copies, not views of Node's shared read slab.
    for (const event of events) {
      if (event.type === 'data') expect(event.bytes.byteOffset).toBe(0);
      if (event.type === 'data') expect(event.bytes.buffer.byteLength).toBe(event.bytes.byteLength);
    }
    expect(hub.list()).toEqual([]);
  });

  it('keeps receiving after a half-close, and says the peer closed last', async () => {
    let serverSide: ReturnType<typeof recorder> | undefined;
    const srv = await server((socket) => {
      serverSide = recorder(socket);
      // Like a server that reads until EOF, then answers.
      void serverSide.ended.then(() => socket.end(`got ${serverSide?.bytes().length} bytes\n`));
    });
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    valueOf(hub.send(id, Buffer.from('abc')));
    valueOf(hub.send(id, Buffer.from('defg')));
    valueOf(hub.end(id));
    expect(hub.list()[0]).toMatchObject({ state: 'half-closed', localEnded: true, peerEnded: false });

    const refused = hub.send(id, Buffer.from('more'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(refused.ok || refused.error.message).toContain('half-closed');
    expect(hub.end(id)).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });

    const closed = await log.next(id, 'closed');
    expect(closed.by).toBe('peer');
    expect(log.bytes(id, 'in').toString()).toBe('got 7 bytes\n');
    expect(log.shape(id)).toEqual([
      'resolving',
      'resolved',
      'connecting',
      'connected',
      'data-out',
      'data-out',
      'local-ended',
      'data-in',
      'peer-ended',
      'closed',
    ]);
    const outs = log
      .of(id)
      .filter((event): event is Extract<LabEvent, { type: 'data' }> => event.type === 'data' && event.dir === 'out');
    expect(outs.map((event) => event.offset)).toEqual([0, 3]);
  });

  it('says we closed last when the peer sent FIN first and then we half-closed', async () => {
    const srv = await server((socket) => socket.end('bye\n'));
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'peer-ended');
    // The peer is done sending, but our side may still send: the learner decides.
    valueOf(hub.send(id, Buffer.from('thanks\n')));
    valueOf(hub.end(id));
    expect((await log.next(id, 'closed')).by).toBe('local');
    expect(log.shape(id)).toEqual([
      'resolving',
      'resolved',
      'connecting',
      'connected',
      'data-in',
      'peer-ended',
      'data-out',
      'local-ended',
      'closed',
    ]);
  });

  it('connects over IPv6 loopback (::1) when this machine has it', async (context) => {
    let srv: LoopbackServer;
    try {
      srv = await startServer((socket) => socket.end('six\n'), '::1');
    } catch {
      context.skip('no IPv6 loopback here');
      return;
    }
    cleanups.push(() => srv.close());
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('::1', srv.port)));
    const connected = await log.next(id, 'connected');
    expect(connected.local.family).toBe('IPv6');
    expect(connected.remote).toEqual({ address: '::1', port: srv.port, family: 'IPv6' });
    await log.next(id, 'peer-ended');
    expect(log.bytes(id, 'in').toString()).toBe('six\n');
  });

  it('runs two connections at once, each with its own local port', async () => {
    const srv = await server((socket) => socket.pipe(socket));
    const { hub, log } = hubWith();
    const first = valueOf(hub.connect(request('127.0.0.1', srv.port))).id;
    const second = valueOf(hub.connect(request('127.0.0.1', srv.port))).id;
    expect(first).not.toBe(second);
    const [a, b] = await Promise.all([log.next(first, 'connected'), log.next(second, 'connected')]);
    expect(a.local.port).not.toBe(b.local.port);
    expect(a.remote.port).toBe(srv.port);
    expect(b.remote.port).toBe(srv.port);

    valueOf(hub.send(first, Buffer.from('one')));
    valueOf(hub.send(second, Buffer.from('two')));
    expect((await log.received(first, 3)).toString()).toBe('one');
    expect((await log.received(second, 3)).toString()).toBe('two');
    expect(hub.list().map((summary) => summary.state)).toEqual(['open', 'open']);
    expect(new Set(hub.list().map((summary) => summary.local?.port)).size).toBe(2);
  });

  it('explains a refused connection (a closed port)', async () => {
    const port = await closedPort();
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', port)));
    const error = await log.next(id, 'error');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toContain(`Nothing is listening on 127.0.0.1 port ${port}.`);
    expect(error.hint).toBe('Check the port number, or start the server first.');
    expect((await log.next(id, 'closed')).by).toBe('error');
    expect(log.shape(id)).toEqual(['resolving', 'resolved', 'connecting', 'error', 'closed']);
  });

  it('explains a reset when the server calls resetAndDestroy(), and refuses sends from then on', async () => {
    const srv = await server((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const log = new EventLog();
    let sendAfterReset: ReturnType<ConnectionHub['send']> | undefined;
    const hub: ConnectionHub = new ConnectionHub({
      route: noRoute,
      emit: (event) => {
        log.push(event);
        // The learner presses send between the error and the close.
        if (event.type === 'error') sendAfterReset = hub.send(event.id, Buffer.from('again'));
      },
    });
    cleanups.push(() => hub.dispose());
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    valueOf(hub.send(id, Buffer.from('anything')));
    const error = await log.next(id, 'error');
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toContain('reset the connection');
    expect(sendAfterReset).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(sendAfterReset?.ok || sendAfterReset?.error.message).toContain('broke');
    expect((await log.next(id, 'closed')).by).toBe('error');

    const after = hub.send(id, Buffer.from('again'));
    expect(after).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(after.ok || after.error.message).toContain('ended with an error');
  });

  it('gives up with ETIMEDOUT when the name lookup never answers', async () => {
    const { hub, log } = hubWith({ lookup: silentLookup });
    const started = Date.now();
    const { id } = valueOf(hub.connect(request('slow.example', 80, { route: 'internet', timeoutMs: 150 })));
    const error = await log.next(id, 'error');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(error.message).toContain('"slow.example" got no answer within 0.15 seconds');
    expect((await log.next(id, 'closed')).by).toBe('error');
    expect(log.shape(id)).toEqual(['resolving', 'error', 'closed']);
    expect(hub.list()).toEqual([]);
  });

  it('explains a name that does not exist (ENOTFOUND)', async () => {
    const { hub, log } = hubWith({ lookup: failingLookup('ENOTFOUND') });
    const { id } = valueOf(hub.connect(request('nowhere.invalid', 80, { route: 'internet' })));
    const error = await log.next(id, 'error');
    expect(error).toMatchObject({ code: 'ENOTFOUND', detail: 'getaddrinfo ENOTFOUND nowhere.invalid' });
    expect(error.message).toContain('"nowhere.invalid" could not be found');
    expect((await log.next(id, 'closed')).by).toBe('error');
    expect(log.shape(id)).toEqual(['resolving', 'error', 'closed']);
  });

  it('connects to the address a lookup gives, preferring IPv4 as the book does', async () => {
    const srv = await server((socket) => socket.end('hello\n'));
    const lookup = (
      _host: string,
      _options: unknown,
      callback: (err: null, addresses: { address: string; family: number }[]) => void,
    ): void => {
      setImmediate(() =>
        callback(null, [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ]),
      );
    };
    const { hub, log } = hubWith({ lookup });
    const { id } = valueOf(hub.connect(request('localhost', srv.port, { route: 'internet' })));
    expect(await log.next(id, 'resolved')).toMatchObject({ addresses: ['::1', '127.0.0.1'], chosen: '127.0.0.1' });
    expect((await log.next(id, 'connected')).route).toBe('internet');
    await log.next(id, 'peer-ended');
    expect(log.bytes(id, 'in').toString()).toBe('hello\n');
  });

  it('sends a lab-route host to the lab server, with no DNS, and says who answered', async () => {
    let serverSide: ReturnType<typeof recorder> | undefined;
    const srv = await server((socket) => {
      serverSide = recorder(socket);
      socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\n\r\nBut soft what light\n'));
    });
    const lookups: string[] = [];
    const { hub, log } = hubWith({
      route: (host, port) =>
        host === 'data.pr4e.org' && port === 80
          ? { host: '127.0.0.1', port: srv.port, answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)' }
          : undefined,
      lookup: (host) => {
        lookups.push(host);
      },
    });
    const { id } = valueOf(hub.connect(request('data.pr4e.org', 80)));
    const connected = await log.next(id, 'connected');
    expect(connected).toMatchObject({
      route: 'lab',
      answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)',
      remote: { address: '127.0.0.1', port: srv.port },
    });
    const events = log.of(id);
    expect(events[0]).toMatchObject({ type: 'resolving', host: 'data.pr4e.org' });
    expect(events[1]).toMatchObject({ type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' });
    expect(events[2]).toMatchObject({
      type: 'connecting',
      address: '127.0.0.1',
      port: srv.port,
      answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)',
    });
    expect(hub.list()[0]).toMatchObject({
      host: 'data.pr4e.org',
      port: 80,
      answeredBy: expect.stringContaining('Lab HTTP'),
    });

    valueOf(hub.send(id, Buffer.from('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n')));
    await log.next(id, 'peer-ended');
    expect(log.bytes(id, 'in').toString()).toContain('But soft what light');
    expect(serverSide?.bytes().toString()).toBe('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    expect(lookups).toEqual([]);

    // The internet route for the same host asks DNS instead (here a lookup that never answers).
    const internet = valueOf(hub.connect(request('data.pr4e.org', 80, { route: 'internet' }))).id;
    expect(lookups).toEqual(['data.pr4e.org']);
    valueOf(hub.abort(internet));
    expect((await log.next(internet, 'closed')).by).toBe('abort');
  });

  it('names the lab server a learner reached by its own address and port, on either route', async () => {
    const srv = await server((socket) => socket.end());
    const { hub, log } = hubWith({
      route: () => undefined,
      identify: (address, port) => (address === '127.0.0.1' && port === srv.port ? 'Lab echo server' : undefined),
    });
    for (const route of ['lab', 'internet'] as const) {
      const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port, { route })));
      expect(await log.next(id, 'connected')).toMatchObject({ route, answeredBy: 'Lab echo server' });
    }
    const other = await server((socket) => socket.end());
    const { id } = valueOf(hub.connect(request('127.0.0.1', other.port)));
    expect((await log.next(id, 'connected')).answeredBy).toBeUndefined();
  });

  it('aborts with a reset the server sees, closed by abort', async () => {
    let accept!: (socket: Socket) => void;
    const accepted = new Promise<Socket>((resolve) => (accept = resolve));
    const srv = await server(accept);
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    // The server must have taken the connection, and be listening for its error, before the reset goes out.
    const serverSocket = await accepted;
    const serverError = new Promise<string>((resolve) =>
      serverSocket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? '')),
    );
    valueOf(hub.abort(id));
    expect((await log.next(id, 'closed')).by).toBe('abort');
    expect(await serverError).toBe('ECONNRESET');
    expect(log.shape(id)).toEqual(['resolving', 'resolved', 'connecting', 'connected', 'closed']);
  });

  it('closes a connection that is still looking up its name', async () => {
    const { hub, log } = hubWith({ lookup: silentLookup });
    const { id } = valueOf(hub.connect(request('slow.example', 80, { route: 'internet' })));
    expect(hub.list()[0]).toMatchObject({ id, state: 'resolving' });
    expect(hub.send(id, Uint8Array.of(1))).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    valueOf(hub.close(id));
    expect((await log.next(id, 'closed')).by).toBe('local');
    expect(log.shape(id)).toEqual(['resolving', 'closed']);
  });

  it('refuses more than 64 open connections, counting ones still looking up', async () => {
    const { hub } = hubWith({ lookup: silentLookup });
    const ids = Array.from(
      { length: 64 },
      () => valueOf(hub.connect(request('slow.example', 80, { route: 'internet' }))).id,
    );
    expect(new Set(ids).size).toBe(64);
    const refused = hub.connect(request('slow.example', 80, { route: 'internet' }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
    expect(refused.ok || refused.error.message).toContain('64 connections open');
    valueOf(hub.abort(ids[0] as string));
    expect(hub.connect(request('slow.example', 80, { route: 'internet' })).ok).toBe(true);
  });

  it('refuses the 65th real connection, and allows one again after a close', async () => {
    const srv = await server(() => undefined);
    const { hub, log } = hubWith();
    const ids = Array.from({ length: 64 }, () => valueOf(hub.connect(request('127.0.0.1', srv.port))).id);
    await Promise.all(ids.map((id) => log.next(id, 'connected')));
    expect(hub.list()).toHaveLength(64);
    expect(hub.connect(request('127.0.0.1', srv.port))).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_CONNECTIONS' },
    });
    valueOf(hub.close(ids[5] as string));
    await log.next(ids[5] as string, 'closed');
    expect(hub.connect(request('127.0.0.1', srv.port)).ok).toBe(true);
  });

  it('counts only connections that can still carry bytes: 64 finished ones (peer sent FIN) leave room for more', async () => {
    // Like socket1.py's server: it answers, sends FIN, and the learner never presses Close.
    const srv = await server((socket) => socket.end('bye\r\n'));
    const { hub, log } = hubWith();
    const ids = Array.from({ length: 64 }, () => valueOf(hub.connect(request('127.0.0.1', srv.port))).id);
    await Promise.all(ids.map((id) => log.next(id, 'peer-ended')));
    expect(hub.list().filter((summary) => summary.peerEnded)).toHaveLength(64);

    const next = hub.connect(request('127.0.0.1', srv.port));
    expect(next.ok).toBe(true);
    // The finished ones are still there, still closable by the learner, until they are closed.
    expect(hub.list()).toHaveLength(65);
    valueOf(hub.close(ids[0] as string));
    expect((await log.next(ids[0] as string, 'closed')).by).toBe('local');
  });

  it('still refuses a connection past the limit of live ones, and says finished ones do not count', async () => {
    const quiet = await server(() => undefined);
    const ending = await server((socket) => socket.end());
    const { hub, log } = hubWith({ maxOpenConnections: 2, maxFinishedConnections: 3 });
    const live = [0, 1].map(() => valueOf(hub.connect(request('127.0.0.1', quiet.port))).id);
    await Promise.all(live.map((id) => log.next(id, 'connected')));
    const refused = hub.connect(request('127.0.0.1', quiet.port));
    expect(refused).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
    expect(refused.ok || refused.error.hint).toContain('Finished ones');

    // Pressing Close makes a connection finished at once, even while its FIN is still on its way.
    valueOf(hub.close(live[0] as string));
    const finished = valueOf(hub.connect(request('127.0.0.1', ending.port))).id;
    await log.next(finished, 'peer-ended');
    await log.next(live[0] as string, 'closed');

    // Finished ones are bounded too (each holds a socket): past the bound the learner is told to clear them.
    for (let i = 0; i < 2; i += 1) {
      await log.next(valueOf(hub.connect(request('127.0.0.1', ending.port))).id, 'peer-ended');
    }
    const full = hub.connect(request('127.0.0.1', ending.port));
    expect(full).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
    expect(full.ok || full.error.hint).toContain('Clear finished');
    valueOf(hub.close(finished));
    await log.next(finished, 'closed');
    expect(hub.connect(request('127.0.0.1', ending.port)).ok).toBe(true);
  });

  it('answers NOT_FOUND for made-up ids', () => {
    const { hub } = hubWith();
    const madeUp = randomUUID();
    for (const result of [hub.send(madeUp, Uint8Array.of(1)), hub.end(madeUp), hub.close(madeUp), hub.abort(madeUp)]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(result.ok || result.error.message).toContain('no open connection');
    }
  });

  it('makes random ids, not counters', () => {
    const { hub } = hubWith({ lookup: silentLookup });
    const ids = [1, 2, 3].map(() => valueOf(hub.connect(request('slow.example', 80, { route: 'internet' }))).id);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
  });

  it('refuses to send before connected and after close', async () => {
    const srv = await server(() => undefined);
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    const early = hub.send(id, Uint8Array.of(1));
    expect(early).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(early.ok || early.error.message).toContain('not open yet');
    await log.next(id, 'connected');
    valueOf(hub.close(id));
    expect(hub.send(id, Uint8Array.of(1))).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(hub.close(id)).toEqual({ ok: true, value: null });
    await log.next(id, 'closed');
    expect(hub.send(id, Uint8Array.of(1))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('sends a copy of the bytes, so later changes to the caller array do not leak', async () => {
    let serverSide: ReturnType<typeof recorder> | undefined;
    const srv = await server((socket) => {
      serverSide = recorder(socket);
    });
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    const bytes = Buffer.from('abc');
    valueOf(hub.send(id, bytes));
    bytes.fill(0x7a);
    valueOf(hub.end(id));
    await serverSide?.ended;
    expect(serverSide?.bytes().toString()).toBe('abc');
    expect(log.bytes(id, 'out').toString()).toBe('abc');
  });

  it('holds sends back when the peer stops reading, instead of queueing without bound', async () => {
    const srv = await server((socket) => socket.pause());
    const { hub, log } = hubWith({ maxQueuedSendBytes: 2 * 1024 * 1024 });
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    const megabyte = new Uint8Array(1024 * 1024);
    let refused: ReturnType<ConnectionHub['send']> | undefined;
    for (let i = 0; i < 200 && !refused; i += 1) {
      const result = hub.send(id, megabyte);
      if (!result.ok) refused = result;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(refused?.ok || refused?.error.message).toContain('has not taken');
  });

  it('stops reading while paused and resumes, without losing or reordering bytes', async () => {
    let accept!: (socket: Socket) => void;
    const accepted = new Promise<Socket>((resolve) => (accept = resolve));
    const srv = await server((socket) => {
      socket.write('first\n');
      accept(socket);
    });
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    const serverSocket = await accepted;
    await log.received(id, 6);
    hub.pauseReading();
    expect(hub.readingPaused).toBe(true);
    // The rest and the FIN are in our socket's receive buffer once the write is done (loopback); a reading
    // socket would take them within the next turns of the event loop, a paused one must not.
    await new Promise<void>((sent) => serverSocket.end('second\n', () => sent()));
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(log.bytes(id, 'in').toString()).toBe('first\n');
    expect(log.of(id).some((event) => event.type === 'peer-ended')).toBe(false);
    hub.resumeReading();
    await log.next(id, 'peer-ended');
    expect(log.bytes(id, 'in').toString()).toBe('first\nsecond\n');
  });

  it('emits nothing after dispose, and resets what was open', async () => {
    let serverError: Promise<string> | undefined;
    const srv = await server((socket) => {
      serverError = new Promise((resolve) =>
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? '')),
      );
    });
    const { hub, log } = hubWith();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    await log.next(id, 'connected');
    const before = log.events.length;
    hub.dispose();
    expect(await serverError).toBe('ECONNRESET');
    // Destroyed sockets report their close on the next ticks; by a later turn of the loop they would have spoken.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(log.events.length).toBe(before);
    expect(hub.connect(request('127.0.0.1', srv.port))).toMatchObject({ ok: false });
  });
});
