/**
 * One path rule for the web host (issue 12.5): the path is normalised once (decoded, dots resolved, slashes
 * collapsed; encoded slashes, backslashes and NULs refused), and one rule decides on the result. Every spelling of
 * the page needs the token and gets the page's headers; the uploads and downloads still work.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { normalizeRequestPath } from '../../../src/main/web/security';
import { startWebHost, type WebHost } from '../../../src/main/web/server';

const PAGE = '<!doctype html><title>the lab page</title>';
const SEED = 20_261_205;

let app: LabApp;
let host: WebHost;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-paths-'));
  const rendererDir = path.join(tempDir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), PAGE);
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(rendererDir, 'other.html'), '<!doctype html><title>not the lab</title>');
  app = await startLabApp({ appVersion: '0.0.0', runtime: {}, dataDir: tempDir });
  host = await startWebHost({ app, rendererDir });
});

afterAll(async () => {
  await host.close();
  await app.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The request target exactly as written (no client library tidies it up), and the answer. */
function rawGet(target: string, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(host.port, '127.0.0.1', () =>
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

// Every spelling the issue lists, and a few more of the same kind.
const PAGE_SPELLINGS = [
  '/',
  '/index.html',
  '//index.html',
  '/index.html/',
  '/%2findex.html',
  '/.%2findex.html',
  '/assets/..%2findex.html',
  '/index.html%2f',
  '/index.html%2F',
  '/%5cindex.html',
  '/./index.html',
  '/%2e/index.html',
  '/assets/../index.html',
  '/assets/%2e%2e/index.html',
  '/assets/.%2e/index.html',
  '///',
  '//',
  '/index.html//',
  '/%69ndex.html',
  '/index%2ehtml',
  '/assets\\..\\index.html',
  '/x/../index.html?',
  '/index.html%00',
  '/index.html%00.js',
  '/assets/%252e%252e/index.html',
  '/INDEX.HTML',
  '/index.html.',
];

describe('every spelling of the page (issue 12.5)', () => {
  it.each(PAGE_SPELLINGS)('%s is never the page without the token', async (spelling) => {
    for (const method of ['GET', 'HEAD']) {
      const answer = await rawGet(spelling, method);
      expect(answer.status, `${method} ${spelling}`).not.toBe(200);
      expect(answer.body).not.toContain('the lab page');
      expect(answer.headers['cache-control'], `${method} ${spelling}`).toBe('no-store');
    }
  });

  it('serves the page with the token under a spelling of its path, with the same headers as the plain one', async () => {
    const plain = await rawGet(`/?token=${host.token}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toBe(PAGE);
    expect(plain.headers['cache-control']).toBe('no-store');
    const { date: _date, ...plainHeaders } = plain.headers;
    for (const spelling of ['/index.html', '//index.html', '/index.html/', '/./index.html', '/assets/../index.html']) {
      const answer = await rawGet(`${spelling}?token=${host.token}`);
      expect(answer.status, spelling).toBe(200);
      expect(answer.body).toBe(PAGE);
      const { date: _answerDate, ...headers } = answer.headers;
      expect(headers, spelling).toEqual(plainHeaders);
    }
  });

  it('refuses an encoded slash, backslash or NUL even with the token, in plain words', async () => {
    for (const spelling of ['/%2findex.html', '/index.html%2f', '/%5cindex.html', '/index.html%00']) {
      const answer = await rawGet(`${spelling}?token=${host.token}`);
      expect(answer.status, spelling).toBe(400);
      expect(answer.body).not.toContain('the lab page');
      expect(answer.body).toMatch(/encoded slash|NUL|not valid/);
    }
  });

  it('serves the page’s own files without the token, and nothing else of that folder', async () => {
    expect((await rawGet('/assets/app.js')).status).toBe(200);
    expect((await rawGet('//assets//app.js')).status).toBe(200);
    expect((await rawGet('/assets/./app.js')).headers['cache-control']).toBe('no-cache');
    // Only the page and its assets: another HTML file in the folder is not served, token or not.
    expect((await rawGet('/other.html')).status).toBe(404);
    expect((await rawGet(`/other.html?token=${host.token}`)).status).toBe(404);
    expect((await rawGet('/assets/%2e%2e/other.html')).status).toBe(404);
    expect((await rawGet('/assets/')).status).toBe(404);
    expect((await rawGet('/assets/..')).status).toBe(403);
    // The script that brings a reloaded tab back holds no secret: it reads the token the tab kept.
    const resume = await rawGet('/resume.js');
    expect(resume.status).toBe(200);
    expect(resume.body).toContain('sessionStorage');
    expect(resume.body).not.toContain(host.token);
    expect((await rawGet('/')).body).toContain('<script src="/resume.js"></script>');
  });

  it('keeps uploads and downloads on the same rule', async () => {
    // No token: refused in words; with a spelling of the path, the same.
    for (const spelling of ['/upload', '//upload', '/upload/']) {
      const answer = await rawGet(spelling, 'POST');
      expect(answer.status, spelling).toBe(403);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const expired = await rawGet('/download/no-such-ticket');
    expect(expired.status).toBe(404);
    expect(expired.body).toContain('used already or has expired');
    expect((await rawGet('/download//no-such-ticket')).status).toBe(404);
  });
});

describe('the normalised path, fuzzed', () => {
  const piece = fc.constantFrom(
    '/',
    '//',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2e%2e',
    '%2f',
    '%2F',
    '%5c',
    '%00',
    '%25',
    '%',
    '%zz',
    '\\',
    'index.html',
    'assets',
    'app.js',
    'a',
    '%69',
    '\u0000',
    '\u202e',
    '?',
  );
  const spelled = fc.array(piece, { maxLength: 14 }).map((pieces) => `/${pieces.join('')}`);

  it(`is one clean absolute path or a refusal (seed ${SEED})`, () => {
    fc.assert(
      fc.property(spelled, (raw) => {
        const checked = normalizeRequestPath(raw);
        if (!checked.ok) return checked.reason.length > 10;
        const { path: clean } = checked;
        return (
          clean.startsWith('/') &&
          !clean.includes('//') &&
          !clean.split('/').some((segment) => segment === '.' || segment === '..') &&
          // eslint-disable-next-line no-control-regex
          !/[\u0000-\u001f\u007f\\]/.test(clean) &&
          (clean === '/' || !clean.endsWith('/'))
        );
      }),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it('gives the same path for a path and its normal form (normalising twice changes nothing)', () => {
    fc.assert(
      fc.property(spelled, (raw) => {
        const once = normalizeRequestPath(raw);
        if (!once.ok) return true;
        const twice = normalizeRequestPath(once.path.replace(/%/g, '%25'));
        return twice.ok && twice.path === once.path;
      }),
      { numRuns: 10_000, seed: SEED },
    );
  });
});
