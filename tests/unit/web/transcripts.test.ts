/**
 * Save as and Open in the browser: a session downloads from a one-time link, streamed from its journal; a transcript
 * uploads in one tokened, size-capped request and becomes a session. Real web host, real WebSocket, real files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaveOutcome } from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import type { SessionListing } from '../../../src/shared/transcript';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost } from '../../../src/main/web/server';
import { openTab as openHostTab, type Tab } from './echoHost';

let app: LabApp;
let host: WebHost;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-webfiles-'));
  const rendererDir = path.join(tempDir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>');
  app = await startLabApp({ appVersion: '9.9.9', runtime: { node: process.versions.node }, dataDir: tempDir });
  host = await startWebHost({ app, rendererDir });
});

afterAll(async () => {
  await host.close();
  await app.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

const openTab = (): Promise<Tab> => openHostTab(host);

function request(
  method: string,
  pathAndQuery: string,
  options: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const sent = http.request(
      { host: '127.0.0.1', port: host.port, method, path: pathAndQuery, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks), headers: response.headers }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(options.body);
  });
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('Save as in the browser: a one-time download link', () => {
  it('streams the live session as .txt, .socketlab, .pcapng and .py, each link working once', async () => {
    const tab = await openTab();
    const hello = value(await tab.call<{ sessionId: string | null }>('hello'));
    expect(hello.sessionId).toMatch(/^[0-9a-f]{20}$/);
    const lab = app.labServers.info().find((server) => server.kind === 'http');
    const { id } = value(await tab.call<{ id: string }>('connect', { host: 'data.pr4e.org', port: 80 }));
    await tab.until((events) => events.some((event) => event.type === 'connected'), 'the connection');
    value(await tab.call('send', id, new TextEncoder().encode('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n')));
    await tab.until((events) => events.some((event) => event.type === 'peer-ended'), 'the answer');

    const downloads: Record<string, { status: number; body: Buffer; headers: http.IncomingHttpHeaders }> = {};
    for (const format of ['txt', 'socketlab', 'pcapng', 'py']) {
      const saved = value(await tab.call<SaveOutcome>('saveSession', hello.sessionId, format));
      if (saved.kind !== 'download') throw new Error(`expected a download, got ${saved.kind}`);
      expect(saved.url).toMatch(/^\/download\/[A-Za-z0-9_-]{32}$/);
      downloads[format] = await request('GET', saved.url, { headers: { Host: `127.0.0.1:${host.port}` } });
      expect(downloads[format]?.status).toBe(200);
      expect(downloads[format]?.headers['content-disposition']).toContain(saved.fileName);
      expect(downloads[format]?.headers['cache-control']).toBe('no-store');
      // The link was for one download only.
      expect((await request('GET', saved.url, { headers: { Host: `127.0.0.1:${host.port}` } })).status).toBe(404);
    }
    const text = downloads.txt?.body.toString('utf8') ?? '';
    expect(text).toContain('>>> GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n');
    expect(text).toContain('But soft what light');
    // Saved while the tab was still open: said as such, not as a crash.
    expect(text).toContain('Ended:        not yet: the session was still running when this was saved');
    expect(JSON.parse(downloads.socketlab?.body.toString('utf8') ?? '')).toMatchObject({ format: 'socketlab' });
    expect(downloads.pcapng?.body.readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(downloads.py?.body.toString('utf8')).toContain(`--lab 127.0.0.1:${lab?.port ?? 0}`.slice(0, 6));
    await tab.close();
  });

  it('refuses a made-up ticket, and a link from another Host', async () => {
    expect(
      (await request('GET', '/download/not-a-ticket', { headers: { Host: `127.0.0.1:${host.port}` } })).status,
    ).toBe(404);
    expect((await request('GET', '/download/x', { headers: { Host: 'evil.example' } })).status).toBe(421);
  });
});

describe('Open in the browser: a tokened, size-capped upload', () => {
  const upload = (query: string, body: Buffer, headers: Record<string, string> = {}) =>
    request('POST', `/upload?${query}`, {
      body,
      headers: {
        Host: `127.0.0.1:${host.port}`,
        Origin: `http://127.0.0.1:${host.port}`,
        'Content-Type': 'application/octet-stream',
        ...headers,
      },
    });

  it('turns an uploaded .socketlab into a session that replays page by page', async () => {
    const tab = await openTab();
    const hello = value(await tab.call<{ sessionId: string }>('hello'));
    const saved = value(await tab.call<SaveOutcome>('saveSession', hello.sessionId, 'socketlab'));
    if (saved.kind !== 'download') throw new Error('expected a download');
    const file = (await request('GET', saved.url, { headers: { Host: `127.0.0.1:${host.port}` } })).body;

    const answer = await upload(`token=${host.token}&name=${encodeURIComponent('my session.socketlab')}`, file);
    expect(answer.status).toBe(200);
    const listing = value(JSON.parse(answer.body.toString('utf8')) as Result<SessionListing>);
    expect(listing).toMatchObject({ ending: 'imported', importedFrom: 'my session.socketlab' });
    const page = value(
      await tab.call<{ entries: { kind: string }[]; next: number | null }>('readSession', listing.id, 0),
    );
    expect(page.entries[0]?.kind).toBe('start');
    await tab.close();
  });

  it('refuses an upload without the token or from another origin, and a file that is not a session', async () => {
    const listed = value(await (await openTab()).call<SessionListing[]>('listSessions'));
    const before = listed.length;
    const importedBefore = listed.filter((session) => session.ending === 'imported').length;
    expect((await upload('name=x.socketlab', Buffer.from('{}'))).status).toBe(403);
    expect((await upload(`token=${host.token}`, Buffer.from('{}'), { Origin: 'http://evil.example' })).status).toBe(
      403,
    );
    const foreign = await upload(`token=${host.token}&name=notes.socketlab`, Buffer.from('{"format":"other"}'));
    expect(foreign.status).toBe(400);
    const refused = JSON.parse(foreign.body.toString('utf8')) as Result<never>;
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
    const after = value(await (await openTab()).call<SessionListing[]>('listSessions'));
    // Two tabs were opened for counting (each a session of its own); no session came from the refused files.
    expect(after.filter((session) => session.ending === 'imported')).toHaveLength(importedBefore);
    expect(after.length).toBeLessThanOrEqual(before + 1);
  });

  it('refuses a file larger than the cap from its Content-Length, before reading it', async () => {
    const answer = await upload(`token=${host.token}&name=big.socketlab`, Buffer.from('{}'), {
      'Content-Length': String(4 * 1024 ** 3),
    }).catch((error: NodeJS.ErrnoException) => ({
      status: -1,
      body: Buffer.from(error.code ?? ''),
      headers: {} as http.IncomingHttpHeaders,
    }));
    // The host answers 413 at once; a client still sending may see the socket close instead.
    expect([413, -1]).toContain(answer.status);
    // And says the connection is done: kept alive, the next request would be read as the rest of that body.
    if (answer.status === 413)
      expect((answer as { headers: http.IncomingHttpHeaders }).headers.connection).toBe('close');
  });
});
