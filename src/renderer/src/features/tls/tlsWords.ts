/**
 * What the TLS card says about a connection's TLS session, in the learner's words. Pure functions over the
 * session the `tls` event carried; no runes, no DOM.
 */
import type { TlsCertificateInfo, TlsSessionInfo, TlsTrust } from '../../../../shared/contract';
import { formatBytes, tlsVersionWords } from '../../lib/eventWords';

export interface TlsFact {
  /** The term, as a learner would look for it. */
  term: string;
  value: string;
  /** A short note after the value, in plain words. */
  note?: string | undefined;
  /** Shown in the monospace font, and free to wrap anywhere (a fingerprint). */
  code?: boolean;
  testid?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A certificate date as a person reads it, in UTC: `1 Dec 2026, 08:00 UTC`. Main sends ISO 8601 when it could read
 * the date, else the system's own text, which is shown as it is.
 */
export function certificateDate(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return text;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  const time = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${time} UTC`;
}

/** The trust verdict in two or three words, for the card's badge. */
export function trustHeadline(trust: TlsTrust): string {
  if (trust.trusted) return 'Trusted';
  return trust.labCertificate ? 'Not trusted (the lab’s own certificate)' : 'Not trusted';
}

/** The sentence after the badge: main's words, without the "Not trusted:" the badge already says. */
export function trustReason(trust: TlsTrust): string {
  return trust.why.replace(/^(Not trusted|Trusted):\s*/, '').replace(/^./, (first) => first.toUpperCase());
}

function issuerNote(certificate: TlsCertificateInfo): string | undefined {
  return certificate.selfSigned ? 'the same as the subject: it signed itself' : undefined;
}

/** The rows of the card for a finished handshake, in the order a learner reads them. */
export function tlsFacts(session: TlsSessionInfo): TlsFact[] {
  const facts: TlsFact[] = [
    {
      term: 'Version',
      value: tlsVersionWords(session.protocol),
      note: `agreed in the handshake`,
      testid: 'tls-version',
    },
    {
      term: 'Cipher',
      value: session.cipher,
      note: 'how the bytes are encrypted and checked',
      code: true,
      testid: 'tls-cipher',
    },
  ];
  if (session.alpn) facts.push({ term: 'Inside', value: session.alpn, note: 'the protocol agreed by ALPN' });
  const certificate = session.certificate;
  if (!certificate) {
    facts.push({ term: 'Certificate', value: 'none: the other side sent no certificate' });
    return facts;
  }
  facts.push(
    { term: 'Subject', value: certificate.subject, note: 'who the certificate is for', testid: 'tls-subject' },
    { term: 'Issuer', value: certificate.issuer, note: issuerNote(certificate), testid: 'tls-issuer' },
    { term: 'Valid from', value: certificateDate(certificate.validFrom), testid: 'tls-valid-from' },
    { term: 'Valid until', value: certificateDate(certificate.validTo), testid: 'tls-valid-to' },
  );
  if (certificate.altNames.length > 0) {
    facts.push({ term: 'Names', value: certificate.altNames.join(', '), note: 'the names it is good for' });
  }
  facts.push({
    term: 'SHA-256 fingerprint',
    value: certificate.sha256,
    note: 'as openssl x509 -fingerprint -sha256 prints it',
    code: true,
    testid: 'tls-sha256',
  });
  return facts;
}

/** How the two layers compare in size: TLS adds headers, the handshake and a tag per record. */
export function layerWords(
  tls: { wireBytesIn: number; wireBytesOut: number },
  plainIn: number,
  plainOut: number,
): string {
  return (
    `On the wire: ${formatBytes(tls.wireBytesOut)} sent, ${formatBytes(tls.wireBytesIn)} received. ` +
    `Inside TLS: ${formatBytes(plainOut)} sent, ${formatBytes(plainIn)} received.`
  );
}
