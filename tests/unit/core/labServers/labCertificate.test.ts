/**
 * The lab TLS server's certificate in a real folder: made once, reused, private, renewed when expired or damaged,
 * and described the way openssl describes it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLabServers, TLS_FOLDER } from '../../../../src/main/core/labServers';
import { CERTIFICATE_FILE, KEY_FILE, loadLabCertificate } from '../../../../src/main/core/labServers/labCertificate';
import { CONTENT_DIR, run } from './helpers';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function freshFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lab-cert-test-'));
  folders.push(folder);
  return folder;
}

async function openssl(args: string[]): Promise<string> {
  const result = await run('openssl', args);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.toString('utf8').trim();
}

const DAY = 24 * 60 * 60 * 1000;

describe('the lab certificate', () => {
  it('is made on first start, private, for the lab names, and its fingerprint is what openssl prints', async () => {
    const folder = path.join(freshFolder(), 'tls');
    const made = await loadLabCertificate(folder);
    expect(made.origin).toBe('made');
    expect(made.certificatePath).toBe(path.join(folder, CERTIFICATE_FILE));
    expect(made.keyPath).toBe(path.join(folder, KEY_FILE));
    if (process.platform !== 'win32') {
      expect(statSync(made.keyPath).mode & 0o777).toBe(0o600);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
    }
    expect(readFileSync(made.keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const printed = await openssl(['x509', '-in', made.certificatePath, '-noout', '-fingerprint', '-sha256']);
    expect(printed).toBe(`sha256 Fingerprint=${made.summary.sha256}`);
    const names = await openssl(['x509', '-in', made.certificatePath, '-noout', '-ext', 'subjectAltName']);
    expect(names).toContain(
      'DNS:data.pr4e.org, DNS:www.py4e.com, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    const subject = await openssl(['x509', '-in', made.certificatePath, '-noout', '-subject', '-issuer']);
    expect(subject).toMatch(/^subject=CN = data\.pr4e\.org, O = Socket Lab, OU = Made on this computer for the lab/);
    expect(subject).toMatch(/\nissuer=CN = data\.pr4e\.org, O = Socket Lab/);
    // The key is the certificate's: openssl derives the same public key from both.
    const fromKey = await openssl(['pkey', '-in', made.keyPath, '-pubout']);
    const fromCertificate = await openssl(['x509', '-in', made.certificatePath, '-noout', '-pubkey']);
    expect(fromKey).toBe(fromCertificate);
    const validTo = new Date(made.summary.validTo).getTime();
    expect(validTo - Date.now()).toBeGreaterThan(360 * DAY);
  });

  it('is reused on later starts, and a key file made readable to others is made private again', async () => {
    const folder = freshFolder();
    const first = await loadLabCertificate(folder);
    const { chmodSync } = await import('node:fs');
    chmodSync(first.keyPath, 0o644);
    const second = await loadLabCertificate(folder);
    expect(second.origin).toBe('reused');
    expect(second.summary.sha256).toBe(first.summary.sha256);
    expect(second.key).toBe(first.key);
    if (process.platform !== 'win32') expect(statSync(second.keyPath).mode & 0o777).toBe(0o600);
  });

  it('is made again when it has expired, or expires within a day, and says why', async () => {
    const folder = freshFolder();
    const old = await loadLabCertificate(folder, { now: () => new Date(Date.now() - 400 * DAY) });
    const renewed = await loadLabCertificate(folder);
    expect(renewed.origin).toBe('renewed');
    expect(renewed.renewedBecause).toBe(`it expired on ${old.summary.validTo}`);
    expect(renewed.summary.sha256).not.toBe(old.summary.sha256);
    expect(await openssl(['x509', '-in', renewed.certificatePath, '-noout', '-checkend', '86400'])).toBe(
      'Certificate will not expire',
    );

    const almost = await loadLabCertificate(freshFolder(), { now: () => new Date(Date.now() - 365 * DAY + DAY / 2) });
    const replaced = await loadLabCertificate(path.dirname(almost.certificatePath));
    expect(replaced.renewedBecause).toBe(`it expires on ${almost.summary.validTo}`);
  });

  it('is made again when its files are damaged, mismatched, unreadable, or not for the lab names', async () => {
    const damaged = freshFolder();
    await loadLabCertificate(damaged);
    writeFileSync(path.join(damaged, CERTIFICATE_FILE), 'not a certificate');
    expect((await loadLabCertificate(damaged)).renewedBecause).toBe(
      'its files are damaged (not a certificate and key in PEM form)',
    );

    const mismatched = freshFolder();
    const other = await loadLabCertificate(freshFolder());
    await loadLabCertificate(mismatched);
    writeFileSync(path.join(mismatched, KEY_FILE), other.key);
    expect((await loadLabCertificate(mismatched)).renewedBecause).toBe(
      'its key file does not belong to its certificate',
    );

    const empty = freshFolder();
    writeFileSync(path.join(empty, CERTIFICATE_FILE), '');
    writeFileSync(path.join(empty, KEY_FILE), '');
    expect((await loadLabCertificate(empty)).origin).toBe('renewed');

    const foreign = freshFolder();
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-keyout',
      path.join(foreign, KEY_FILE),
      '-out',
      path.join(foreign, CERTIFICATE_FILE),
      '-subj',
      '/CN=example.com',
      '-addext',
      'subjectAltName=DNS:example.com',
    ]);
    expect((await loadLabCertificate(foreign)).renewedBecause).toBe(
      'it is not made for data.pr4e.org, www.py4e.com, localhost, 127.0.0.1, ::1',
    );
  });

  it('is kept in the data folder tls/ by startLabServers and shown the same by the next start', async () => {
    const dataDir = freshFolder();
    const first = await startLabServers({ contentDir: CONTENT_DIR, dataDir });
    const firstPrint = first.certificate.summary.sha256;
    await first.stop();
    expect(first.certificate.certificatePath).toBe(path.join(dataDir, TLS_FOLDER, CERTIFICATE_FILE));
    const second = await startLabServers({ contentDir: CONTENT_DIR, dataDir });
    try {
      expect(second.certificate.origin).toBe('reused');
      expect(second.info().find((info) => info.kind === 'https')?.certificate?.sha256).toBe(firstPrint);
    } finally {
      await second.stop();
    }
  });

  it('says plainly when a folder cannot keep it, and startLabServers then makes one for this run only', async () => {
    const dataDir = freshFolder();
    // A folder where the certificate file should be: it can be neither read nor replaced.
    mkdirSync(path.join(dataDir, TLS_FOLDER, CERTIFICATE_FILE), { recursive: true });
    writeFileSync(path.join(dataDir, TLS_FOLDER, CERTIFICATE_FILE, 'x'), 'x');
    await expect(loadLabCertificate(path.join(dataDir, TLS_FOLDER))).rejects.toThrow(
      `The lab TLS server's certificate could not be kept in ${path.join(dataDir, TLS_FOLDER)} (`,
    );
    const logged: string[] = [];
    const servers = await startLabServers({ contentDir: CONTENT_DIR, dataDir, log: (line) => logged.push(line) });
    try {
      expect(servers.certificate.notKept).toMatch(/could not be kept in .* A new one was made for this run only\.$/);
      expect(logged).toEqual([servers.certificate.notKept]);
      expect(servers.certificate.certificatePath.startsWith(os.tmpdir())).toBe(true);
      expect(servers.certificate.certificatePath.startsWith(dataDir)).toBe(false);
    } finally {
      await servers.stop();
    }
  });

  it('lives in a fresh temporary folder when no data folder is given, removed on stop', async () => {
    const servers = await startLabServers({ contentDir: CONTENT_DIR });
    const file = servers.certificate.certificatePath;
    expect(servers.certificate.origin).toBe('made');
    expect(file.startsWith(os.tmpdir())).toBe(true);
    expect(existsSync(file)).toBe(true);
    await servers.stop();
    expect(existsSync(path.dirname(path.dirname(file)))).toBe(false);
  });
});
