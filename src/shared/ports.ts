/**
 * Port numbers, read one way everywhere: the connect request main checks, the renderer's port box, and the
 * listen ports of `npm run lab-server` and `npm run web`. Pure functions; refusals are data, in plain words.
 */
import { shown } from './boundary';
import { fail, ok, type Result } from './errors';

/** Ports are 16 bits. */
export const LARGEST_PORT = 65535;

const PORT_WORDS = `A port is a whole number from 1 to ${LARGEST_PORT}, like 80`;

/**
 * The port written in `text` as decimal digits only (leading zeros do not change it: "0080" is 80), or undefined
 * for anything else: spaces, a sign, a hex prefix, a fraction, or a number past LARGEST_PORT. 0 comes back as 0:
 * a listener reads it as "any free port", a connection refuses it.
 */
export function portFromDigits(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const digits = text.replace(/^0+(?=\d)/, '');
  // Past five digits it is out of range anyway, and Number() of 400 digits would be a float.
  if (digits.length > 5) return undefined;
  const port = Number(digits);
  return port <= LARGEST_PORT ? port : undefined;
}

function badPort(value: unknown, hint: string): Result<never> {
  return fail('BAD_PORT', `${PORT_WORDS}. ${shown(value)} is not one.`, hint);
}

function portInRange(port: number, value: unknown): Result<number> {
  if (port === 0) {
    return badPort(
      value,
      'Port 0 cannot be connected to: it asks the system for any free port. Try 80 for a web server.',
    );
  }
  if (port > LARGEST_PORT) return badPort(value, `The largest port is ${LARGEST_PORT}.`);
  return ok(port);
}

/** Why text that is not plain digits is no port, said so the learner can fix what they typed. */
function notDigits(value: string): Result<never> {
  if (value === '') return badPort(value, 'Type a port number, like 80 for a web server or 7 for echo.');
  if (value.trim() !== value) return badPort(value, 'Remove the spaces around the number.');
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) {
    const hexDigits = value.slice(2).replace(/^0+(?=[0-9a-fA-F])/, '');
    const decimal = hexDigits.length <= 5 ? Number.parseInt(hexDigits, 16) : Number.POSITIVE_INFINITY;
    return badPort(
      value,
      decimal <= LARGEST_PORT
        ? `Write the port in decimal digits. ${value} in hex would be ${decimal}.`
        : `Write the port in decimal digits. That hex number is larger than ${LARGEST_PORT}, the largest port.`,
    );
  }
  if (/^[+-]/.test(value)) return badPort(value, 'Write only the digits, with no + or - sign.');
  if (/^\d*\.\d+$/.test(value)) return badPort(value, 'Ports have no fractions: try a whole number, like 80.');
  return badPort(value, 'Use the digits 0-9 only, like 80.');
}

/** A port to connect to: a JS integer 1..65535, or text that portFromDigits reads as one. */
export function validatePort(value: unknown): Result<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return badPort(value, 'Type the port as digits, like 80.');
    if (!Number.isInteger(value)) return badPort(value, 'Ports have no fractions: try a whole number, like 80.');
    if (value < 0) return badPort(value, 'Ports are never negative.');
    return portInRange(value, value);
  }
  if (typeof value === 'string') {
    if (!/^\d+$/.test(value)) return notDigits(value);
    const port = portFromDigits(value);
    return port === undefined ? badPort(value, `The largest port is ${LARGEST_PORT}.`) : portInRange(port, value);
  }
  return badPort(value, 'Type a port number, like 80 for a web server or 7 for echo.');
}
