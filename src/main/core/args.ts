/** A small, strict command-line reader: unknown options and bad values are errors in plain words. */
export class ArgsError extends Error {}

export interface OptionSpec {
  /** `flag` takes no value; `value` takes the next argument or `--name=value`. */
  kind: 'flag' | 'value';
  help: string;
}

export function parseArgs<S extends Record<string, OptionSpec>>(
  argv: string[],
  spec: S,
): { [K in keyof S]?: S[K]['kind'] extends 'flag' ? boolean : string } {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ArgsError(`I don't understand "${arg}". Options start with --; try --help.`);
    const name = match[1] ?? '';
    const option = spec[name];
    if (!option) throw new ArgsError(`There is no option --${name}; try --help.`);
    if (option.kind === 'flag') {
      if (match[2] !== undefined) throw new ArgsError(`--${name} takes no value.`);
      out[name] = true;
    } else {
      const value = match[2] ?? argv[++i];
      if (value === undefined || value === '') throw new ArgsError(`--${name} needs a value.`);
      out[name] = value;
    }
  }
  return out as { [K in keyof S]?: S[K]['kind'] extends 'flag' ? boolean : string };
}

/** A TCP port for a listener: 0 (any free port) to 65535, plain decimal digits only. */
export function parseListenPort(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ArgsError(`${option} must be a port number from 0 to 65535 (0 picks a free one), not "${value}".`);
  }
  return Number(value);
}

export function helpText(usage: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(
    ([name, option]) => `  --${name}${option.kind === 'value' ? ' VALUE' : ''}`.padEnd(28) + option.help,
  );
  return `${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}
