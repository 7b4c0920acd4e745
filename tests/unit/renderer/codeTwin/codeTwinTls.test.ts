/**
 * The code twin of a TLS connection: the book's ssl context style (the lines come from src/shared/tlsRecipe.ts),
 * run with python3 against the real lab TLS server, getting the same plain answer the learner got inside TLS.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import { startLabServers, type LabServers } from '../../../../src/main/core/labServers';
import type { LabEvent } from '../../../../src/shared/contract';
import { LAB_ONLY_COMMENT, sslContextLines } from '../../../../src/shared/tlsRecipe';
import {
  socketProgram,
  twinSourceFromEvents,
  urllibProgram,
  type TwinSource,
} from '../../../../src/renderer/src/features/codeTwin/codeTwin';

const BOOK_REQUEST = Buffer.from('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n', 'latin1');

function runPython(code: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', code], { timeout: 15_000, encoding: 'utf8' }, (_error, stdout, stderr) =>
      resolve({ stdout, stderr }),
    );
  });
}

let servers: LabServers;
let hub: ConnectionHub;
const events: LabEvent[] = [];
let id = '';

beforeAll(async () => {
  servers = await startLabServers({ host: '127.0.0.1' });
  const lab = servers.info().find((info) => info.kind === 'https')?.certificate?.sha256;
  hub = new ConnectionHub({
    emit: (event) => events.push(event),
    route: (h, p) => servers.route(h, p),
    labCertificates: () => (lab ? [lab] : []),
  });
  const opened = hub.connect({ host: 'data.pr4e.org', port: 443, route: 'lab', timeoutMs: 5000, tls: true });
  if (!opened.ok) throw new Error(opened.error.message);
  id = opened.value.id;
  const until = async (type: LabEvent['type']): Promise<void> => {
    while (!events.some((e) => e.id === id && e.type === type)) await new Promise((r) => setTimeout(r, 5));
  };
  await until('tls');
  hub.send(id, BOOK_REQUEST);
  await until('peer-ended');
});

afterAll(async () => {
  hub.dispose();
  await servers.stop();
});

function source(): TwinSource {
  const found = twinSourceFromEvents(events, id, { host: 'data.pr4e.org', port: 443 });
  if (!found) throw new Error('no twin source');
  return found;
}

/** The plain bytes the learner got inside TLS, without the Date header (a different second). */
function answer(): string {
  const got = Buffer.concat(
    events.flatMap((e) => (e.id === id && e.type === 'data' && e.dir === 'in' ? [Buffer.from(e.bytes)] : [])),
  ).toString('latin1');
  return got.replace(/^Date: .*$/m, 'Date: -');
}

describe('the code twin of a TLS connection', () => {
  it('knows it spoke TLS and met the lab’s own certificate', () => {
    expect(source().tls).toEqual({ labCertificate: true });
  });

  it('writes the book’s ssl context, the lab-only lines with their comment, then wrap_socket with the host', () => {
    const code = socketProgram(source());
    const context = sslContextLines(true);
    expect(context).toEqual([
      'ctx = ssl.create_default_context()',
      LAB_ONLY_COMMENT,
      'ctx.check_hostname = False',
      'ctx.verify_mode = ssl.CERT_NONE',
    ]);
    expect(code).toContain(['import socket', 'import ssl', '', ...context].join('\n'));
    expect(code).toContain("sock.connect(('data.pr4e.org', 443))");
    expect(code).toContain("mysock = ctx.wrap_socket(sock, server_hostname='data.pr4e.org')");
    expect(code).toContain('mysock.send(cmd)');
  });

  it('leaves the certificate check on for a certificate that is not the lab’s', () => {
    const code = socketProgram({ ...source(), tls: { labCertificate: false } });
    expect(code).toContain('ctx = ssl.create_default_context()');
    expect(code).not.toContain('CERT_NONE');
    expect(code).not.toContain(LAB_ONLY_COMMENT);
  });

  it('runs with python3 against the lab TLS server and prints the answer the learner got inside TLS', async () => {
    const twin = source();
    const code = socketProgram(twin, twin.labAddress ?? {});
    expect(twin.labAddress?.host).toBe('127.0.0.1');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(run.stdout.replace(/^Date: .*$/m, 'Date: -')).toBe(answer());
    expect(answer()).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
  });

  it('urllib: an https URL with context=ctx, which runs and prints the body', async () => {
    const twin = source();
    const code = urllibProgram(twin);
    expect(code).toContain("fhand = urllib.request.urlopen('https://data.pr4e.org/romeo.txt', context=ctx)");
    expect(code).toContain(sslContextLines(true).join('\n'));
    const offline = urllibProgram(twin, twin.labAddress ?? {});
    const run = await runPython(offline ?? '');
    expect(run.stderr).toBe('');
    const body = answer().split('\r\n\r\n')[1] ?? '';
    expect(run.stdout).toBe(
      body
        .split('\n')
        .map((line) => line.trim())
        .filter((line, i, all) => i < all.length - 1 || line !== '')
        .join('\n') + '\n',
    );
  });
});
