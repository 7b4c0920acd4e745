import { describe, expect, it } from 'vitest';
import { ArgsError, parseArgs, parseListenPort, readOptions } from '../../../src/main/core/args';

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

  it('says which option is wrong, in the words npm run web prints', () => {
    const words = (argv: string[]): string => {
      try {
        parseArgs(argv, spec);
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(words(['--verbose'])).toBe('There is no option --verbose; try --help.');
    expect(words(['--verbose=2'])).toBe('There is no option --verbose=2; try --help.');
    expect(words(['-p', '80'])).toBe('There is no option -p; try --help.');
    expect(words(['--port'])).toBe('--port needs a value.');
    expect(words(['--port='])).toBe('--port needs a value.');
    // The next option is not the value the learner forgot.
    expect(words(['--port', '--no-open'])).toBe('--port needs a value.');
    expect(words(['8080'])).toBe('I don\'t understand "8080". Options start with --; try --help.');
    expect(words(['--', '--port', '80'])).toBe('I don\'t understand "--". Options start with --; try --help.');
    expect(words(['--constructor'])).toBe('There is no option --constructor; try --help.');
  });

  it('hands problems back as data, and the last of a repeated option wins', () => {
    expect(readOptions(['--port', '1', '--port=2'], spec)).toEqual({ ok: true, values: { port: '2' } });
    expect(readOptions(['--port'], spec)).toEqual({ ok: false, problem: { kind: 'needs-value', option: '--port' } });
    expect(readOptions(['-h'], { help: { kind: 'flag', short: 'h' } })).toEqual({ ok: true, values: { help: true } });
  });

  it('takes listen ports as plain decimal only', () => {
    expect(parseListenPort('0', '--port')).toBe(0);
    expect(parseListenPort('65535', '--port')).toBe(65535);
    expect(parseListenPort('0080', '--port')).toBe(80);
    for (const bad of ['0x50', ' 80', '65536', '-1', '8.0', '', '1e3', '٨٠'])
      expect(() => parseListenPort(bad, '--port')).toThrow(ArgsError);
    expect(() => parseListenPort('0x50', '--port')).toThrow(
      '--port must be a port number from 0 to 65535 (0 picks a free one), not "0x50".',
    );
  });
});
