import { describe, expect, it } from 'vitest';
import { ArgsError, parseArgs, parseListenPort } from '../../../src/main/core/args';

const spec = { port: { kind: 'value', help: '' }, 'no-open': { kind: 'flag', help: '' } } as const;

describe('command-line options', () => {
  it('reads flags and values in both spellings', () => {
    expect(parseArgs(['--no-open', '--port', '8080'], spec)).toEqual({ 'no-open': true, port: '8080' });
    expect(parseArgs(['--port=0'], spec)).toEqual({ port: '0' });
  });

  it('refuses unknown options, missing values and stray words in plain words', () => {
    expect(() => parseArgs(['--prot', '80'], spec)).toThrow(/no option --prot/);
    expect(() => parseArgs(['--port'], spec)).toThrow(/needs a value/);
    expect(() => parseArgs(['8080'], spec)).toThrow(ArgsError);
    expect(() => parseArgs(['--no-open=yes'], spec)).toThrow(/takes no value/);
  });

  it('takes listen ports as plain decimal only', () => {
    expect(parseListenPort('0', '--port')).toBe(0);
    expect(parseListenPort('65535', '--port')).toBe(65535);
    for (const bad of ['0x50', ' 80', '65536', '-1', '8.0', ''])
      expect(() => parseListenPort(bad, '--port')).toThrow(ArgsError);
  });
});
