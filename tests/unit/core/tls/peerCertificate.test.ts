/** The other side's certificate in the learner's words, from real certificates openssl makes, and the trust words. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { TlsCertificateInfo } from '../../../../src/shared/contract';
import { describePeerCertificate, judgeTrust } from '../../../../src/main/core/tls/peerCertificate';
import { run } from '../labServers/helpers';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'peer-cert-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function opensslCertificate(args: string[]): Promise<{ pem: string; der: Buffer }> {
  const out = path.join(scratch, `${Math.random().toString(36).slice(2)}.pem`);
  const result = await run('openssl', [
    'req',
    '-x509',
    '-nodes',
    '-keyout',
    path.join(scratch, 'key.pem'),
    '-out',
    out,
    ...args,
  ]);
  if (result.code !== 0) throw new Error(result.stderr);
  const pem = readFileSync(out, 'utf8');
  return { pem, der: new X509Certificate(pem).raw };
}

const EXAMPLE: TlsCertificateInfo = {
  subject: 'CN=example.com',
  issuer: 'CN=Example CA',
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2026-06-01T00:00:00.000Z',
  sha256: 'AA:BB',
  altNames: ['DNS:example.com', 'DNS:www.example.com'],
  serialNumber: '01',
  selfSigned: false,
};

describe('describePeerCertificate', () => {
  it('reads an RSA certificate openssl made: names, dates, fingerprint as openssl prints it, key, self-signed', async () => {
    const { pem, der } = await opensslCertificate([
      '-newkey',
      'rsa:2048',
      '-days',
      '10',
      '-subj',
      '/C=US/O=Example Org/CN=example.com',
      '-addext',
      'subjectAltName=DNS:example.com,IP:127.0.0.1',
    ]);
    const info = describePeerCertificate({ raw: der } as never);
    const printed = await run('sh', ['-c', `printf '%s' "${pem}" | openssl x509 -noout -fingerprint -sha256`]);
    expect(printed.stdout.toString().trim()).toBe(`sha256 Fingerprint=${info?.sha256}`);
    expect(info).toMatchObject({
      subject: 'C=US, O=Example Org, CN=example.com',
      issuer: 'C=US, O=Example Org, CN=example.com',
      altNames: ['DNS:example.com', 'IP Address:127.0.0.1'],
      selfSigned: true,
      publicKey: 'RSA 2048 bits',
    });
    expect(new Date(info?.validTo ?? '').getTime() - new Date(info?.validFrom ?? '').getTime()).toBe(10 * 86_400_000);
  });

  it('gives null when the server sent no certificate', () => {
    expect(describePeerCertificate(undefined)).toBeNull();
    expect(describePeerCertificate({ raw: Buffer.alloc(0) } as never)).toBeNull();
  });
});

describe('judgeTrust', () => {
  const facts = { certificate: EXAMPLE, authorized: false, host: 'www.example.org', labFingerprints: [] };

  it('says trusted in plain words when Node trusts it', () => {
    expect(judgeTrust({ ...facts, authorized: true, authorizationError: null })).toEqual({
      trusted: true,
      labCertificate: false,
      why: "Trusted: an authority this computer's TLS library trusts vouches for it, it is made for www.example.org, and it is valid today.",
    });
  });

  it.each([
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'it was made for DNS:example.com, DNS:www.example.com, not for www.example.org.'],
    ['CERT_HAS_EXPIRED', 'it expired on 2026-06-01T00:00:00.000Z.'],
    ['CERT_NOT_YET_VALID', "it is not valid until 2026-01-01T00:00:00.000Z. Check this computer's date and time."],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'it was signed by "CN=Example CA", an authority this computer does not know'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'the certificate is self-signed: it vouches for itself'],
    ['X509_V_ERR_SOMETHING_NEW', 'the TLS library said X509_V_ERR_SOMETHING_NEW. Search for it to learn more.'],
  ])('explains %s', (code, words) => {
    const trust = judgeTrust({ ...facts, authorizationError: code });
    expect(trust).toMatchObject({ trusted: false, labCertificate: false, code });
    expect(trust.why).toMatch(/^Not trusted: /);
    expect(trust.why).toContain(words);
  });

  it("recognizes the lab's own certificate by its fingerprint, whatever Node's reason", () => {
    const trust = judgeTrust({
      ...facts,
      labFingerprints: ['AA:BB'],
      authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(trust.labCertificate).toBe(true);
    expect(trust.why).toMatch(/^Not trusted: made by Socket Lab for this computer; no authority vouches for it\. /);
    expect(judgeTrust({ ...facts, labFingerprints: ['CC:DD'], authorizationError: 'x' }).labCertificate).toBe(false);
  });
});
