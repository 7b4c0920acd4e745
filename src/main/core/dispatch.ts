/**
 * The one door into the core from either transport: find the command for a channel, validate its
 * arguments at the boundary, run it, and turn anything unexpected into an error as data.
 */
import { commandForChannel, type CommandArgs, type CommandName, type LabCommands } from '../../shared/contract';
import { shown } from '../../shared/boundary';
import { fail, ok, type Result } from '../../shared/errors';
import { validateSlowMode } from '../../shared/slowMode';
import { validateProgress } from './progress';
import {
  validateAckSeq,
  validateConnectRequest,
  validateConnectionId,
  validateCursor,
  validateExportFormat,
  validateFileName,
  validateImportChunk,
  validateImportId,
  validateImportSize,
  validateSendBytes,
  validateSessionId,
} from './validation';

type ArgsValidator<K extends CommandName> = (args: unknown[]) => Result<CommandArgs<K>>;

function arity(args: unknown[], expected: number, command: string): Result<null> {
  if (args.length !== expected) {
    return fail(
      'BAD_REQUEST',
      `"${command}" takes ${expected} argument${expected === 1 ? '' : 's'}, but got ${args.length}.`,
      'This is a bug in the caller; reload the lab.',
    );
  }
  return ok(null);
}

function noArgs<K extends CommandName>(command: K): ArgsValidator<K> {
  return (args) => {
    const checked = arity(args, 0, command);
    return checked.ok ? ok([] as unknown as CommandArgs<K>) : checked;
  };
}

function oneArg<K extends CommandName, T>(command: K, check: (raw: unknown) => Result<T>): ArgsValidator<K> {
  return (args) => {
    const checked = arity(args, 1, command);
    if (!checked.ok) return checked;
    const value = check(args[0]);
    return value.ok ? ok([value.value] as unknown as CommandArgs<K>) : value;
  };
}

function twoArgs<K extends CommandName, A, B>(
  command: K,
  checkFirst: (raw: unknown) => Result<A>,
  checkSecond: (raw: unknown) => Result<B>,
): ArgsValidator<K> {
  return (args) => {
    const checked = arity(args, 2, command);
    if (!checked.ok) return checked;
    const first = checkFirst(args[0]);
    if (!first.ok) return first;
    const second = checkSecond(args[1]);
    return second.ok ? ok([first.value, second.value] as unknown as CommandArgs<K>) : second;
  };
}

/** One validator per command; the mapped type makes a missing command a compile error. */
export const argumentValidators: { [K in CommandName]: ArgsValidator<K> } = {
  hello: noArgs('hello'),
  connect: oneArg('connect', validateConnectRequest),
  send: twoArgs('send', validateConnectionId, validateSendBytes),
  end: oneArg('end', validateConnectionId),
  close: oneArg('close', validateConnectionId),
  abort: oneArg('abort', validateConnectionId),
  listConnections: noArgs('listConnections'),
  ackEvents: oneArg('ackEvents', validateAckSeq),
  labServers: noArgs('labServers'),
  setSlowMode: oneArg('setSlowMode', validateSlowMode),
  getProgress: noArgs('getProgress'),
  saveProgress: oneArg('saveProgress', validateProgress),
  listSessions: noArgs('listSessions'),
  recoverableSessions: noArgs('recoverableSessions'),
  putAwaySession: oneArg('putAwaySession', validateSessionId),
  deleteSession: oneArg('deleteSession', validateSessionId),
  readSession: twoArgs('readSession', validateSessionId, validateCursor),
  saveSession: twoArgs('saveSession', validateSessionId, validateExportFormat),
  openSessionFile: noArgs('openSessionFile'),
  beginImport: twoArgs('beginImport', validateFileName, validateImportSize),
  importChunk: twoArgs('importChunk', validateImportId, validateImportChunk),
  finishImport: oneArg('finishImport', validateImportId),
};

export async function dispatchCommand(
  commands: LabCommands,
  channel: unknown,
  args: unknown,
): Promise<Result<unknown>> {
  const name = typeof channel === 'string' ? commandForChannel(channel) : undefined;
  if (name === undefined) {
    return fail('UNKNOWN_COMMAND', `There is no command called ${shown(channel)}.`, 'Reload the lab.');
  }
  if (!Array.isArray(args)) return fail('BAD_REQUEST', 'The command arguments must be a list.', 'Reload the lab.');
  const validated = (argumentValidators[name] as ArgsValidator<typeof name>)(args);
  if (!validated.ok) return validated;
  try {
    const run = commands[name] as (...a: unknown[]) => Promise<Result<unknown>>;
    return await run.apply(commands, validated.value as unknown[]);
  } catch (error) {
    return fail(
      'INTERNAL',
      'Something went wrong inside Socket Lab while doing that.',
      'Try again; if it keeps happening, restart the lab and report it.',
      error instanceof Error ? error.message : String(error),
    );
  }
}
