/** TLS failures in plain words: the branches that real sockets in hubTls.test.ts do not reach on loopback. */
import { describe, expect, it } from 'vitest';
import { explainTlsError, explainTlsExpected } from '../../../../src/main/core/connections/errors';
import { describeTlsAlert } from '../../../../src/shared/tlsRecords';

const at = { host: 'data.pr4e.org', port: 443, phase: 'handshake' } as const;

function tlsError(code: string, message: string, reason?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, ...(reason !== undefined && { reason }) });
}

describe('explainTlsError', () => {
  it('names an alert from Node’s message when the wire did not show it (an encrypted alert)', () => {
    const error = tlsError(
      'ERR_SSL_TLSV1_ALERT_UNRECOGNIZED_NAME',
      'C0:error:0A000458:SSL routines:ssl3_read_bytes:tlsv1 unrecognized name:SSL alert number 112',
    );
    expect(explainTlsError(error, at, { secure: false })).toMatchObject({
      code: 'TLS_ALERT',
      message:
        'data.pr4e.org port 443 refused the TLS handshake with a fatal TLS alert: unrecognized_name (112), because it has no site by the name the lab sent (SNI).',
    });
  });

  it('names an alert from the code alone, and one no RFC names, without making up a reason', () => {
    const fromCode = explainTlsError(tlsError('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'bad'), at, { secure: false });
    expect(fromCode.message).toContain(
      'fatal TLS alert: bad_certificate (42), because it did not accept a certificate.',
    );
    const odd = explainTlsError(new Error('x'), at, { secure: true, alert: describeTlsAlert(1, 200) });
    expect(odd.message).toBe(
      'data.pr4e.org port 443 ended the TLS connection with a warning TLS alert: alert 200 (200).',
    );
  });

  it('passes on what OpenSSL said for any other failure, with the code to search for', () => {
    const error = tlsError(
      'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
      'openssl text',
      'decryption failed or bad record mac',
    );
    expect(explainTlsError(error, { ...at, phase: 'receive' }, { secure: true })).toEqual({
      code: 'TLS_FAILED',
      message:
        'The TLS connection with data.pr4e.org port 443 failed: the TLS library said "decryption failed or bad record mac".',
      hint: 'Search for ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC to learn what it means, then connect again.',
      detail: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC: openssl text',
    });
  });

  it('shows bytes that are not text as \\xHH, and says plain HTTP only when it is', () => {
    const notTls = Uint8Array.of(0x00, 0xff, 0x41, 0x22);
    const error = explainTlsError(tlsError('ERR_SSL_WRONG_VERSION_NUMBER', 'w'), at, { secure: false, notTls });
    expect(error.code).toBe('TLS_NOT_SPOKEN');
    expect(error.message).toContain('its first bytes were "\\x00\\xffA\\x22".');
    expect(error.message).not.toContain('plain HTTP');
  });
});

describe('explainTlsExpected', () => {
  it('says the port expects TLS first, and what to do', () => {
    expect(explainTlsExpected(describeTlsAlert(2, 70), { ...at, phase: 'receive' })).toEqual({
      code: 'TLS_EXPECTED',
      message:
        'data.pr4e.org port 443 answered with a TLS alert (fatal protocol_version), not with HTTP: this port expects TLS first. The program there speaks TLS, so the plain bytes you sent looked like a broken TLS record to it, and it ended the connection.',
      hint: 'Turn TLS on for this connection and send the same request: it will travel inside TLS. HTTPS is on port 443.',
      detail: 'TLS alert 70: protocol_version',
    });
  });
});
