/**
 * The other side's certificate in the learner's words, and whether it is trusted. Main never refuses an untrusted
 * certificate (this is a lab: the learner is shown what is wrong); it says in plain words why not.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { TlsCertificateInfo, TlsTrust } from '../../../shared/contract';

/** Subject lines as OpenSSL's one-line form prints them: `CN=data.pr4e.org, O=Socket Lab`. */
function oneLine(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}

/** ISO 8601 when the date can be read, else the text as the system gave it. */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** What a learner reads on the connection card; null when the server sent no certificate. */
export function describePeerCertificate(peer: PeerCertificate | undefined | null): TlsCertificateInfo | null {
  if (!peer || !peer.raw || peer.raw.byteLength === 0) return null;
  const x509 = new X509Certificate(peer.raw);
  // Signed by its own key (checkIssued would also want the key to be allowed to sign certificates, which a leaf's is not).
  let selfSigned = false;
  try {
    selfSigned = x509.subject === x509.issuer && x509.verify(x509.publicKey);
  } catch {
    selfSigned = false;
  }
  const info: TlsCertificateInfo = {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    validFrom: isoDate(x509.validFrom),
    validTo: isoDate(x509.validTo),
    sha256: x509.fingerprint256,
    altNames: (x509.subjectAltName ?? '').split(', ').filter(Boolean),
    serialNumber: x509.serialNumber,
    selfSigned,
  };
  const details = x509.publicKey.asymmetricKeyDetails;
  const type = x509.publicKey.asymmetricKeyType;
  if (type === 'ec' && details?.namedCurve) info.publicKey = `EC ${curveName(details.namedCurve)}`;
  else if (type === 'rsa' && details?.modulusLength) info.publicKey = `RSA ${details.modulusLength} bits`;
  else if (type) info.publicKey = type.toUpperCase();
  return info;
}

function curveName(openSslName: string): string {
  const names: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
  return names[openSslName] ?? openSslName;
}

export interface TrustFacts {
  certificate: TlsCertificateInfo | null;
  /** Node's verdict: the chain leads to an authority it trusts and the name matches. */
  authorized: boolean;
  /** Node's reason when not (`DEPTH_ZERO_SELF_SIGNED_CERT`, ...). */
  authorizationError: unknown;
  /** The name the certificate should be for (what the learner typed). */
  host: string;
  /** SHA-256 fingerprints of the certificates Socket Lab made for its own TLS server. */
  labFingerprints: readonly string[];
}

const LAB_WORDS = 'made by Socket Lab for this computer; no authority vouches for it';

/** Trusted or not, and in plain words why. */
export function judgeTrust(facts: TrustFacts): TlsTrust {
  const { certificate } = facts;
  const labCertificate = certificate !== null && facts.labFingerprints.includes(certificate.sha256);
  if (facts.authorized) {
    return {
      trusted: true,
      labCertificate,
      why:
        `Trusted: an authority this computer's TLS library trusts vouches for it, it is made for ${facts.host}, ` +
        'and it is valid today.',
    };
  }
  const code = errorCode(facts.authorizationError);
  const trust: TlsTrust = { trusted: false, labCertificate, why: '' };
  if (code !== undefined) trust.code = code;
  if (labCertificate) {
    trust.why =
      `Not trusted: ${LAB_WORDS}. That is expected here: the lab TLS server stands in for the real site on this ` +
      'computer, so no authority could vouch for it. The encryption works just the same; what is missing is proof ' +
      'of who is on the other side. A real site shows a certificate an authority signed.';
    return trust;
  }
  if (!certificate) {
    trust.why = 'Not trusted: the other side sent no certificate, so nothing says who it is.';
    return trust;
  }
  trust.why = `Not trusted: ${verifyWords(code, certificate, facts.host)}`;
  return trust;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'string' && error !== '') return error;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return undefined;
}

/** Node's (OpenSSL's) verify codes, explained. */
function verifyWords(code: string | undefined, certificate: TlsCertificateInfo, host: string): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'the certificate is self-signed: it vouches for itself, and no authority this computer trusts signed it. Anybody can make one like it.';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its chain of signatures ends in a root certificate this computer does not trust (a company or a test authority, perhaps).';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `it was signed by "${certificate.issuer}", an authority this computer does not know (or the server did not send the certificate in between).`;
    case 'CERT_HAS_EXPIRED':
      return `it expired on ${certificate.validTo}. Certificates are valid for a limited time; the site should have renewed it.`;
    case 'CERT_NOT_YET_VALID':
      return `it is not valid until ${certificate.validFrom}. Check this computer's date and time.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return `it was made for ${certificate.altNames.join(', ') || certificate.subject}, not for ${host}. It may belong to another site on the same computer.`;
    case 'CERT_REVOKED':
      return 'the authority that signed it has taken it back (revoked it).';
    case 'CERT_SIGNATURE_FAILURE':
      return 'its signature does not check out: it may have been changed on the way.';
    case 'INVALID_CA':
    case 'INVALID_PURPOSE':
      return 'it was not made for this use (a certificate in its chain may not sign others).';
    default:
      return code
        ? `the TLS library said ${code}. Search for it to learn more.`
        : 'the TLS library could not check it, and gave no reason.';
  }
}
