/** The boundary checks for the session commands: everything from a page is unknown until these say otherwise. */
import { describe, expect, it } from 'vitest';
import { argumentValidators } from '../../../src/main/core/dispatch';
import {
  validateCursor,
  validateExportFormat,
  validateFileName,
  validateImportChunk,
  validateImportSize,
  validateSessionId,
} from '../../../src/main/core/validation';
import { LIMITS } from '../../../src/shared/limits';

describe('session command arguments', () => {
  it('takes session ids main could have made, and nothing that could walk out of the sessions folder', () => {
    expect(validateSessionId('20261130-1402-abc_DEF')).toEqual({ ok: true, value: '20261130-1402-abc_DEF' });
    for (const bad of ['', '../progress', 'a/b', 'a\\b', 'x'.repeat(65), 42, null, {}]) {
      const result = validateSessionId(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('BAD_REQUEST');
    }
  });

  it('takes the four save formats by name only', () => {
    for (const format of ['socketlab', 'txt', 'pcapng', 'py']) expect(validateExportFormat(format).ok).toBe(true);
    const bad = validateExportFormat('exe');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.hint).toContain('.pcapng');
  });

  it('takes a replay cursor as a whole number from 0', () => {
    expect(validateCursor(0).ok).toBe(true);
    expect(validateCursor(12345).ok).toBe(true);
    for (const bad of [-1, 1.5, Number.NaN, '0', null]) expect(validateCursor(bad).ok).toBe(false);
  });

  it('takes a file name without folders or control characters', () => {
    expect(validateFileName('socket-lab-2026-11-30-1402.socketlab').ok).toBe(true);
    expect(validateFileName('café session.socketlab').ok).toBe(true);
    for (const bad of ['', '../../etc/passwd', 'C:\\x', 'a\nb', 'x'.repeat(256), 7]) {
      expect(validateFileName(bad).ok).toBe(false);
    }
  });

  it('refuses a transcript larger than the lab opens, in plain words', () => {
    expect(validateImportSize(LIMITS.maxTranscriptFileBytes).ok).toBe(true);
    const big = validateImportSize(3 * 1024 ** 3);
    expect(big.ok).toBe(false);
    if (!big.ok) {
      expect(big.error.code).toBe('FILE_TOO_LARGE');
      expect(big.error.message).toContain('3 GiB (3,221,225,472 bytes)');
    }
  });

  it('takes pieces of a file as bytes of at most one send', () => {
    expect(validateImportChunk(new Uint8Array(LIMITS.maxSendBytes)).ok).toBe(true);
    expect(validateImportChunk(new Uint8Array(LIMITS.maxSendBytes + 1)).ok).toBe(false);
    expect(validateImportChunk('text').ok).toBe(false);
  });

  it('checks the number of arguments of every session command', () => {
    expect(argumentValidators.readSession(['abc', 0]).ok).toBe(true);
    expect(argumentValidators.readSession(['abc']).ok).toBe(false);
    expect(argumentValidators.saveSession(['abc', 'pcapng']).ok).toBe(true);
    expect(argumentValidators.saveSession(['abc', 'pcapng', 'extra']).ok).toBe(false);
    expect(argumentValidators.listSessions([]).ok).toBe(true);
    expect(argumentValidators.beginImport(['a.socketlab', 10]).ok).toBe(true);
    expect(argumentValidators.finishImport(['not an id!']).ok).toBe(false);
  });
});
