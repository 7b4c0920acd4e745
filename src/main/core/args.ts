/**
 * Command-line options for `npm run web` and `npm run lab-server`, read with node:util's parseArgs. Each problem
 * (an unknown option, a missing value, a stray word) comes back as data, for each program to say in its words.
 */
import { parseArgs as readArgv } from 'node:util';
import { LARGEST_PORT, portFromDigits } from '../../shared/ports';

export class ArgsError extends Error {}

export interface OptionSpec {
  /** `flag` takes no value; `value` takes the next argument or `--name=value`. */
  kind: 'flag' | 'value';
  /** One letter that stands for it, like `h` for `-h`. */
  short?: string;
  /** For helpText; a program with its own usage text leaves it out. */
  help?: string;
}

export type OptionValues<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: S[K]['kind'] extends 'flag' ? boolean : string;
};

export type OptionProblem =
  | { kind: 'unknown-option'; arg: string }
  | { kind: 'stray-word'; arg: string }
  | { kind: 'needs-value'; option: string }
  | { kind: 'takes-no-value'; option: string };

export type ReadOptions<S extends Record<string, OptionSpec>> =
  { ok: true; values: OptionValues<S> } | { ok: false; problem: OptionProblem };

/**
 * The options in `argv`, the last one winning when an option is given twice. parseArgs runs loose (strict: false)
 * and its tokens are checked here, so that each problem names the option the learner typed.
 */
export function readOptions<S extends Record<string, OptionSpec>>(argv: readonly string[], spec: S): ReadOptions<S> {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const [name, option] of Object.entries(spec)) {
    options[name] = {
      type: option.kind === 'flag' ? 'boolean' : 'string',
      ...(option.short && { short: option.short }),
    };
  }
  const { tokens } = readArgv({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') return { ok: false, problem: { kind: 'stray-word', arg: token.value } };
    if (token.kind === 'option-terminator') return { ok: false, problem: { kind: 'stray-word', arg: '--' } };
    const option = Object.hasOwn(spec, token.name) ? spec[token.name] : undefined;
    if (!option) {
      const arg = token.inlineValue ? `${token.rawName}=${token.value ?? ''}` : token.rawName;
      return { ok: false, problem: { kind: 'unknown-option', arg } };
    }
    const name = `--${token.name}`;
    if (option.kind === 'flag') {
      if (token.value !== undefined) return { ok: false, problem: { kind: 'takes-no-value', option: name } };
      values[token.name] = true;
      continue;
    }
    // Loose parseArgs takes the next word even when it is the next option (`--port --no-open`): that is no value.
    const value = token.value;
    if (value === undefined || value === '' || (!token.inlineValue && value.startsWith('--'))) {
      return { ok: false, problem: { kind: 'needs-value', option: name } };
    }
    values[token.name] = value;
  }
  return { ok: true, values: values as OptionValues<S> };
}

/** A problem in the web host's words ("There is no option --prot; try --help."). */
export function describeOptionProblem(problem: OptionProblem): string {
  switch (problem.kind) {
    case 'unknown-option':
      return `There is no option ${problem.arg}; try --help.`;
    case 'stray-word':
      return `I don't understand "${problem.arg}". Options start with --; try --help.`;
    case 'needs-value':
      return `${problem.option} needs a value.`;
    case 'takes-no-value':
      return `${problem.option} takes no value.`;
  }
}

/** Options read as readOptions does, a problem thrown as an ArgsError in describeOptionProblem's words. */
export function parseArgs<S extends Record<string, OptionSpec>>(argv: readonly string[], spec: S): OptionValues<S> {
  const read = readOptions(argv, spec);
  if (!read.ok) throw new ArgsError(describeOptionProblem(read.problem));
  return read.values;
}

/** A TCP port for a listener: 0 (any free port) to 65535, plain decimal digits only. */
export function parseListenPort(value: string, option: string): number {
  const port = portFromDigits(value);
  if (port === undefined) {
    throw new ArgsError(
      `${option} must be a port number from 0 to ${LARGEST_PORT} (0 picks a free one), not "${value}".`,
    );
  }
  return port;
}

export function helpText(usage: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(
    ([name, option]) => `  --${name}${option.kind === 'value' ? ' VALUE' : ''}`.padEnd(28) + (option.help ?? ''),
  );
  return `${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}
