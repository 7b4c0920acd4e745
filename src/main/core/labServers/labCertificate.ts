/**
 * The lab TLS server's certificate: made with `selfsigned` on first start, kept in a folder (the data folder's
 * `tls/`), reused on later starts, and made again when it is missing, unreadable, damaged, not for the lab's names,
 * or expired (or about to). The private key never leaves this computer: it is written readable by this user only,
 * and no key is in the repository.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LabCertificateSummary } from '../../../shared/contract';

/** The names the certificate is made for: the hosts the lab TLS server stands in for, and this computer's own. */
export const LAB_CERTIFICATE_DNS_NAMES: readonly string[] = ['data.pr4e.org', 'www.py4e.com', 'localhost'];
export const LAB_CERTIFICATE_IP_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];
export const LAB_CERTIFICATE_ORGANIZATION = 'Socket Lab';
/** No commas or semicolons: selfsigned writes the name as one string and would split it there. */
export const LAB_CERTIFICATE_UNIT = 'Made on this computer for the lab - no authority vouches for it';

export const CERTIFICATE_FILE = 'lab-cert.pem';
export const KEY_FILE = 'lab-key.pem';

/** A new certificate is good for this long. */
const VALID_DAYS = 365;
/** One that expires within this long is made again now, so it cannot expire while the lab runs. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
/** Valid from a little before it is made, so a clock a few minutes behind still accepts it. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LabCertificate {
  /** PEM text of the certificate and of its private key. */
  cert: string;
  key: string;
  summary: LabCertificateSummary;
  certificatePath: string;
  keyPath: string;
  /** `made` when there was none, `renewed` when the old one could not be used (see `renewedBecause`), else `reused`. */
  origin: 'made' | 'reused' | 'renewed';
  renewedBecause?: string;
  /** Set when the data folder could not keep it, so it lives in a temporary folder for this run only: why. */
  notKept?: string;
}

export interface LabCertificateOptions {
  /** The clock that decides expiry and the new certificate's dates; default the system's. */
  now?: () => Date;
}

/** The certificate in `folder` if it can still be used, else a new one written there. */
export async function loadLabCertificate(folder: string, options: LabCertificateOptions = {}): Promise<LabCertificate> {
  const now = (options.now ?? (() => new Date()))();
  const certificatePath = path.join(folder, CERTIFICATE_FILE);
  const keyPath = path.join(folder, KEY_FILE);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`The lab TLS server's certificate could not be kept in ${folder} (${code}).`, { cause: error });
  }

  const found = await readKept(certificatePath, keyPath, now);
  if (found.kind === 'usable') {
    // A key file someone made readable to others is made private again.
    await chmod(keyPath, 0o600).catch(() => undefined);
    return { ...found.pair, summary: summarize(found.x509), certificatePath, keyPath, origin: 'reused' };
  }

  const made = await makeCertificate(now);
  try {
    await writePrivately(keyPath, made.key, 0o600);
    await writePrivately(certificatePath, made.cert, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`The lab TLS server's certificate could not be kept in ${folder} (${code}).`, { cause: error });
  }
  const certificate: LabCertificate = {
    ...made,
    summary: summarize(new X509Certificate(made.cert)),
    certificatePath,
    keyPath,
    origin: found.kind === 'missing' ? 'made' : 'renewed',
  };
  if (found.kind === 'unusable') certificate.renewedBecause = found.why;
  return certificate;
}

type Kept =
  | { kind: 'usable'; pair: { cert: string; key: string }; x509: X509Certificate }
  | { kind: 'missing' }
  | { kind: 'unusable'; why: string };

async function readKept(certificatePath: string, keyPath: string, now: Date): Promise<Kept> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certificatePath, 'utf8'), readFile(keyPath, 'utf8')]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', why: `its files could not be read (${code ?? String(error)})` };
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) {
      return { kind: 'unusable', why: 'its key file does not belong to its certificate' };
    }
  } catch {
    return { kind: 'unusable', why: 'its files are damaged (not a certificate and key in PEM form)' };
  }
  const validTo = new Date(x509.validTo);
  const validFrom = new Date(x509.validFrom);
  if (!(validTo.getTime() - RENEW_BEFORE_MS > now.getTime())) {
    const when = validTo.getTime() <= now.getTime() ? 'expired' : 'expires';
    return { kind: 'unusable', why: `it ${when} on ${validTo.toISOString()}` };
  }
  if (validFrom.getTime() > now.getTime()) {
    return { kind: 'unusable', why: `it is not valid until ${validFrom.toISOString()} (was the clock changed?)` };
  }
  const names = x509.subjectAltName ?? '';
  const missing = [
    ...LAB_CERTIFICATE_DNS_NAMES.filter((name) => !names.includes(`DNS:${name}`)),
    ...LAB_CERTIFICATE_IP_ADDRESSES.filter(
      (ip) => !names.includes(`IP Address:${ip === '::1' ? '0:0:0:0:0:0:0:1' : ip}`),
    ),
  ];
  if (missing.length > 0) return { kind: 'unusable', why: `it is not made for ${missing.join(', ')}` };
  return { kind: 'usable', pair: { cert, key }, x509 };
}

async function makeCertificate(now: Date): Promise<{ cert: string; key: string }> {
  // Loaded only when a certificate is made (once per data folder): selfsigned brings @peculiar/x509, whose loading
  // took about 130 ms of every start of the web host and the app, certificate or not. A require, as the static
  // import was in the CommonJS build, so Electron loads it from app.asar the way it loads every other package.
  const { generate } = createRequire(import.meta.url)('selfsigned') as typeof import('selfsigned');
  const made = await generate(
    [
      { name: 'commonName', value: LAB_CERTIFICATE_DNS_NAMES[0] as string },
      { name: 'organizationName', value: LAB_CERTIFICATE_ORGANIZATION },
      { shortName: 'OU', value: LAB_CERTIFICATE_UNIT },
    ],
    {
      // EC P-256: made in about 10 ms (RSA 2048 took about 190 ms here), and what modern sites use.
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
      notAfterDate: new Date(now.getTime() + VALID_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...LAB_CERTIFICATE_DNS_NAMES.map((value) => ({ type: 2 as const, value })),
            ...LAB_CERTIFICATE_IP_ADDRESSES.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    },
  );
  return { cert: made.cert, key: made.private };
}

/** Written whole or not at all (a temporary file renamed over the old one), with its mode from the start. */
async function writePrivately(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}

/** Subject lines as OpenSSL's one-line form prints them: `CN=data.pr4e.org, O=Socket Lab`. */
export function oneLineName(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}

function summarize(x509: X509Certificate): LabCertificateSummary {
  return {
    sha256: x509.fingerprint256,
    subject: oneLineName(x509.subject),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    altNames: (x509.subjectAltName ?? '').split(', ').filter(Boolean),
  };
}
