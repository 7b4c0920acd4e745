/** Ports and slow mode are read one way everywhere: main's checks, the renderer's port box, both command lines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgsError, parseListenPort } from '../../../src/main/core/args';
import { DEFAULT_CLI_PORTS, parseLabServerArgs } from '../../../src/main/core/labServers/cli';
import { checkSlowMode } from '../../../src/main/core/labServers/httpServer';
import { portForRequest, sameTarget } from '../../../src/renderer/src/features/workbench/templates';
import { LARGEST_PORT, portFromDigits, validatePort } from '../../../src/shared/ports';
import { slowModeFromText, validateSlowMode } from '../../../src/shared/slowMode';

/** The ports the other lab servers take by default: an echo port on one of them is refused as a clash. */
const OTHER_DEFAULTS = new Set(
  Object.entries(DEFAULT_CLI_PORTS)
    .filter(([kind]) => kind !== 'echo')
    .map(([, port]) => port),
);

const portLike = fc.oneof(
  fc.integer({ min: 0, max: 70_000 }).map(String),
  // Each other server's default port, which a random integer meets only now and then.
  fc.constantFrom(...[...OTHER_DEFAULTS].map(String)),
  fc.stringMatching(/^[0-9a-fx +.\-e ]{0,8}$/),
  fc.string({ maxLength: 8 }),
);

function listenPort(text: string): number | undefined {
  try {
    return parseListenPort(text, '--port');
  } catch (error) {
    expect(error).toBeInstanceOf(ArgsError);
    return undefined;
  }
}

describe('one reading of a port', () => {
  it('reads decimal digits only, leading zeros allowed, up to 65535', () => {
    expect(portFromDigits('80')).toBe(80);
    expect(portFromDigits('0080')).toBe(80);
    expect(portFromDigits('0')).toBe(0);
    expect(portFromDigits(String(LARGEST_PORT))).toBe(65535);
    for (const text of ['65536', '0x50', ' 80', '80 ', '+80', '-1', '8.0', '1e3', '', '٨٠', '9'.repeat(400)]) {
      expect(portFromDigits(text), text).toBeUndefined();
    }
  });

  it('the web host, lab-server, main and the renderer agree on every text', () => {
    fc.assert(
      fc.property(portLike, (text) => {
        const port = portFromDigits(text);
        expect(listenPort(text)).toBe(port);
        const lab = parseLabServerArgs(['--echo-port', text]);
        if (text === '' || text.startsWith('--')) expect(lab.ok).toBe(false);
        else if (port !== undefined && OTHER_DEFAULTS.has(port)) {
          expect(lab).toEqual({ ok: false, message: expect.stringContaining(`cannot share port ${port}`) });
        } else expect(lab.ok ? lab.options.ports.echo : undefined).toBe(port);
        expect(validatePort(text).ok).toBe(port !== undefined && port !== 0);
        expect(portForRequest(text)).toBe(port ?? text);
        expect(sameTarget({ host: 'h', port: port ?? -1 }, { host: 'h', port: text })).toBe(port !== undefined);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('one check of a slow mode', () => {
  it('takes off (null) or whole numbers within the limits', () => {
    expect(validateSlowMode(null)).toEqual({ ok: true, value: null });
    expect(validateSlowMode({ bytesPerSecond: 2000, writeSize: 100 })).toEqual({
      ok: true,
      value: { bytesPerSecond: 2000, writeSize: 100 },
    });
    for (const bad of [
      {},
      { bytesPerSecond: 0, writeSize: 1 },
      { bytesPerSecond: 1.5, writeSize: 1 },
      { bytesPerSecond: '2000', writeSize: 1 },
      { bytesPerSecond: 2000, writeSize: 0 },
      { bytesPerSecond: 2000, writeSize: 1_000_000 },
      { bytesPerSecond: 2000, writeSize: 10, extra: true },
      'slow',
    ]) {
      expect(validateSlowMode(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });

  it('the command line, the HTTP server and the renderer command refuse the same slow modes', () => {
    const shapes = fc.record({
      bytesPerSecond: fc.oneof(fc.integer({ min: 0, max: 2 * 100 * 1024 * 1024 }), fc.constant(1)),
      writeSize: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(1)),
    });
    fc.assert(
      fc.property(shapes, (slow) => {
        const checked = validateSlowMode(slow);
        const fromText = slowModeFromText(`${slow.bytesPerSecond}:${slow.writeSize}`);
        expect(fromText.ok).toBe(checked.ok);
        if (checked.ok) expect(checkSlowMode(slow)).toEqual(slow);
        else expect(() => checkSlowMode(slow)).toThrow(RangeError);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads the text form, with a tenth of a second per write when only the rate is given', () => {
    expect(slowModeFromText('5000')).toEqual({ ok: true, value: { bytesPerSecond: 5000, writeSize: 500 } });
    expect(slowModeFromText('2000:100')).toEqual({ ok: true, value: { bytesPerSecond: 2000, writeSize: 100 } });
    for (const bad of ['fast', '100:0', '0', '1:2:3', ' 100', '100:', '0x10']) {
      expect(slowModeFromText(bad).ok, bad).toBe(false);
    }
  });
});
