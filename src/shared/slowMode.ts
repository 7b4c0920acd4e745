/**
 * The lab HTTP server's slow mode, checked one way wherever it arrives: a command from the renderer, a saved
 * session's entry, `npm run lab-server --slow`, or the lab servers' own options. Pure functions.
 */
import { isPlainObject, shown } from './boundary';
import type { SlowMode } from './contract';
import { fail, ok, type Result } from './errors';
import { LIMITS } from './limits';

/** Slow mode: null (full speed) or whole numbers within LIMITS; the one check for this shape. */
export function validateSlowMode(raw: unknown): Result<SlowMode | null> {
  if (raw === null) return ok(null);
  const hint = 'Pick a speed from the list, or turn slow mode off.';
  if (!isPlainObject(raw)) return fail('BAD_REQUEST', 'Slow mode must be a speed and a write size, or off.', hint);
  const extra = Object.keys(raw).filter((key) => key !== 'bytesPerSecond' && key !== 'writeSize');
  if (extra.length > 0) return fail('BAD_REQUEST', `Slow mode has no setting called ${shown(extra[0])}.`, hint);
  const { bytesPerSecond, writeSize } = raw as Record<string, unknown>;
  if (
    typeof bytesPerSecond !== 'number' ||
    !Number.isInteger(bytesPerSecond) ||
    bytesPerSecond < LIMITS.slowModeMinBytesPerSecond ||
    bytesPerSecond > LIMITS.slowModeMaxBytesPerSecond
  ) {
    return fail(
      'BAD_REQUEST',
      `The slow-mode speed must be a whole number of bytes per second, from ${LIMITS.slowModeMinBytesPerSecond} to ${LIMITS.slowModeMaxBytesPerSecond}.`,
      hint,
    );
  }
  if (
    typeof writeSize !== 'number' ||
    !Number.isInteger(writeSize) ||
    writeSize < 1 ||
    writeSize > LIMITS.slowModeMaxWriteSize
  ) {
    return fail(
      'BAD_REQUEST',
      `The slow-mode write size must be a whole number of bytes, from 1 to ${LIMITS.slowModeMaxWriteSize}.`,
      hint,
    );
  }
  return ok({ bytesPerSecond, writeSize });
}

/** The write size when only a rate is given: about ten writes a second, between 1 and 1024 bytes. */
function defaultWriteSize(bytesPerSecond: number): number {
  return Math.max(1, Math.min(1024, Math.floor(bytesPerSecond / 10)));
}

/** Slow mode written as text, BYTES_PER_SEC or BYTES_PER_SEC:WRITE_SIZE (`2000:100`), checked like any other. */
export function slowModeFromText(text: string): Result<SlowMode> {
  const match = /^(\d{1,9})(?::(\d{1,9}))?$/.exec(text);
  if (!match) {
    return fail(
      'BAD_REQUEST',
      `Slow mode is written BYTES_PER_SEC or BYTES_PER_SEC:WRITE_SIZE, like 2000:100, not ${shown(text)}.`,
      'Use digits only, with one colon between the two numbers.',
    );
  }
  const bytesPerSecond = Number(match[1]);
  const writeSize = match[2] === undefined ? defaultWriteSize(bytesPerSecond) : Number(match[2]);
  const checked = validateSlowMode({ bytesPerSecond, writeSize });
  return checked.ok ? ok({ bytesPerSecond, writeSize }) : checked;
}
