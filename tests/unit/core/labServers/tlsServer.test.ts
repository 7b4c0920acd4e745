/**
 * The lab TLS server with real clients nobody here wrote: Python's ssl and http.client, curl -k, openssl s_client.
 * It serves the lab HTTP server's own answers over TLS, and answers plain bytes with a TLS alert.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsRecipe } from '../../../../src/shared/tlsRecipe';
import {
  CONTENT_DIR,
  exchange,
  FIXED_DATE_HEADER,
  RawClient,
  run,
  runCurl,
  runPython,
  splitReply,
  startTestLab,
  type TestLab,
} from './helpers';

const ROMEO = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'));
const COVER = readFileSync(path.join(CONTENT_DIR, 'cover3.jpg'));

let lab: TestLab;
let port: number;
const logLines: string[] = [];

beforeAll(async () => {
  lab = await startTestLab({ log: (line) => logLines.push(line), tls: { firstByteTimeoutMs: 1_500 } });
  port = lab.port('https');
});
afterAll(async () => {
  await lab.servers.stop();
});

/** The book's ssl context style: the check switched off, only because this is the lab. */
const CONTEXT = `
import ssl, sys, hashlib, http.client
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
`;

describe('the lab TLS server and Python', () => {
  it('answers http.client over TLS with romeo.txt, and shows the certificate the lab made', async () => {
    const script = `${CONTEXT}
conn = http.client.HTTPSConnection('127.0.0.1', int(sys.argv[1]), context=ctx)
conn.request('GET', '/romeo.txt', headers={'Host': 'data.pr4e.org'})
response = conn.getresponse()
body = response.read()
der = conn.sock.getpeercert(binary_form=True)
print(response.status, conn.sock.version(), conn.sock.selected_alpn_protocol())
print(':'.join('%02X' % b for b in hashlib.sha256(der).digest()))
sys.stdout.flush()
sys.stdout.buffer.write(body)
`;
    const [status, fingerprint, ...body] = (await runPython(script, [port])).stdout.toString('latin1').split('\n');
    // With a context of its own, http.client offers no ALPN, so none is chosen (curl's below offers http/1.1).
    expect(status).toBe('200 TLSv1.3 None');
    expect(fingerprint).toBe(lab.servers.certificate.summary.sha256);
    expect(body.join('\n')).toBe(ROMEO.toString('latin1'));
    expect(logLines.some((line) => /GET \/romeo\.txt HTTP\/1\.1 \(TLS\) -> 200/.test(line))).toBe(true);
  });

  it('keeps an HTTP/1.1 connection open inside TLS for a second request, and sends a whole picture', async () => {
    const script = `${CONTEXT}
conn = http.client.HTTPSConnection('127.0.0.1', int(sys.argv[1]), context=ctx)
sizes = []
for path in ['/romeo.txt', '/cover3.jpg']:
    conn.request('GET', path, headers={'Host': 'data.pr4e.org'})
    sizes.append(len(conn.getresponse().read()))
print(sizes)
`;
    expect((await runPython(script, [port])).stdout.toString().trim()).toBe(`[${ROMEO.length}, ${COVER.length}]`);
  });

  it("is refused by Python's default context (no authority vouches for it), and trusted once told to trust its file", async () => {
    const script = `
import ssl, socket, sys
def fetch(ctx):
    try:
        with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
            with ctx.wrap_socket(raw, server_hostname='data.pr4e.org') as tls:
                return 'ok ' + tls.version()
    except ssl.SSLCertVerificationError as error:
        return 'refused: ' + error.verify_message
print(fetch(ssl.create_default_context()))
print(fetch(ssl.create_default_context(cafile=sys.argv[2])))
`;
    const lines = (await runPython(script, [port, lab.servers.certificate.certificatePath])).stdout.toString();
    expect(lines.trim().split('\n')).toEqual(['refused: self-signed certificate', 'ok TLSv1.3']);
  });

  it('runs the recipe npm run lab-server prints: urllib with the ssl context, and the socket program', async () => {
    const recipe = tlsRecipe({ host: '127.0.0.1', port });
    expect(recipe.urllib).toContain('ctx.verify_mode = ssl.CERT_NONE');
    expect(recipe.urllib).toContain('# Only for the lab');
    expect((await runPython(recipe.urllib)).stdout.toString()).toBe(ROMEO.toString('latin1'));
    const reply = splitReply((await runPython(recipe.socket)).stdout);
    expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
    expect(reply.body.toString('latin1').trimEnd()).toBe(ROMEO.toString('latin1').trimEnd());
  });
});

describe('the lab TLS server and curl', () => {
  it('serves curl -k, which sees TLS and the lab certificate', async () => {
    const result = await runCurl(['-k', '-v', `https://127.0.0.1:${port}/romeo.txt`]);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(ROMEO)).toBe(true);
    expect(result.stderr).toMatch(/SSL connection using TLSv1\.3/);
    expect(result.stderr).toContain('subject: CN=data.pr4e.org; O=Socket Lab');
    expect(result.stderr).toMatch(/ALPN: server accepted http\/1\.1/);
  });

  it('passes curl without -k for https://data.pr4e.org/ once given the lab certificate: its names are right', async () => {
    const result = await runCurl([
      '--cacert',
      lab.servers.certificate.certificatePath,
      '--connect-to',
      `data.pr4e.org:443:127.0.0.1:${port}`,
      '-i',
      'https://data.pr4e.org/romeo.txt',
    ]);
    expect(result.stderr).toBe('');
    const reply = splitReply(result.stdout);
    expect(reply.headers.get('date')).toBe(FIXED_DATE_HEADER);
    expect(reply.body.equals(ROMEO)).toBe(true);
    // Without it, curl refuses, as it would for any certificate no authority signed.
    const refused = await runCurl(['--connect-to', `data.pr4e.org:443:127.0.0.1:${port}`, 'https://data.pr4e.org/']);
    expect(refused.code).toBe(60);
    expect(refused.stderr).toMatch(/self-signed certificate/);
  });

  it('points the links of a page asked for at its own address back at itself, over https', async () => {
    const result = await runCurl(['-k', `https://127.0.0.1:${port}/page1.htm`]);
    expect(result.stdout.toString('latin1')).toContain(`href="https://127.0.0.1:${port}/page2.htm"`);
  });
});

describe('the lab TLS server and openssl s_client', () => {
  async function sClient(args: string[], input: string): Promise<{ out: string; err: string; code: number | null }> {
    const result = await run('sh', [
      '-c',
      `printf '${input}' | openssl s_client -connect 127.0.0.1:${port} -servername data.pr4e.org -ign_eof ${args.join(' ')}`,
    ]);
    return { out: result.stdout.toString('latin1'), err: result.stderr, code: result.code };
  }

  it('does TLS 1.3 and TLS 1.2, says the certificate is self-signed, and answers the request inside', async () => {
    for (const version of ['-tls1_3', '-tls1_2']) {
      const { out, code } = await sClient([version], 'GET /romeo.txt HTTP/1.0\\r\\n\\r\\n');
      expect(code, out).toBe(0);
      expect(out).toContain(`Protocol  : ${version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2'}`);
      expect(out).toContain('Verify return code: 18 (self-signed certificate)');
      expect(out).toContain('subject=CN = data.pr4e.org, O = Socket Lab');
      expect(out).toContain(`HTTP/1.1 200 OK\r\nDate: ${FIXED_DATE_HEADER}`);
      expect(out).toContain(ROMEO.toString('latin1'));
    }
  });

  it('refuses TLS 1.1 with a protocol_version alert, and carries on serving', async () => {
    const { err } = await sClient(['-tls1_1', '-cipher', "'DEFAULT:@SECLEVEL=0'"], '');
    expect(err).toMatch(/alert protocol version|no protocols available/);
    const { out } = await sClient(['-tls1_3'], 'GET /romeo.txt HTTP/1.0\\r\\n\\r\\n');
    expect(out).toContain('HTTP/1.1 200 OK');
  });
});

describe('plain bytes on the TLS port', () => {
  it('answers a plain GET with a fatal unexpected_message alert, the 7 bytes a TLS server sends, then FIN', async () => {
    const answer = await exchange(port, 'GET /romeo.txt HTTP/1.0\r\n\r\n');
    expect([...answer]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);
    expect(
      logLines.some((line) => /sent plain bytes \("GET \/romeo\.txt H.*not TLS -> alert unexpected_message/.test(line)),
    ).toBe(true);
  });

  it('answers the first byte, without waiting for a whole line', async () => {
    const client = await RawClient.connect(port);
    client.send('G');
    await client.readToEnd();
    expect(client.received.length).toBe(7);
    client.close();
  });

  it('lets a client that says nothing go, without a word, after the first-byte wait', async () => {
    const client = await RawClient.connect(port);
    const started = Date.now();
    await client.readToEnd(5_000);
    expect(client.received.length).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    client.close();
  });
});
