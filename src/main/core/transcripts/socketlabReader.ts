/**
 * Opens a `.socketlab` file as a stream: entries are handed on one at a time as the bytes arrive, so a file of
 * hundreds of megabytes never sits in memory, and every way a file can be wrong (cut short, corrupt, foreign,
 * newer, huge, deep, not UTF-8, tampered with) ends in one BAD_FILE or FILE_TOO_LARGE in plain words.
 *
 * The JSON is tokenized by @streamparser/json; this module watches the tokens on their way to its TokenParser, to
 * bound depth, sizes and counts before anything is built, and to know which part of the file each value is.
 * Memory stays bounded by the limits: one entry (or header part) at a time, the tokens of a value, the connections'
 * offsets. Key order and formatting are free: the header may come before or after `entries`.
 */
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType } from '@streamparser/json';
import type { LabProgress } from '../../../shared/contract';
import { fail, ok, type LabError, type Result } from '../../../shared/errors';
import { LIMITS } from '../../../shared/limits';
import { SOCKETLAB_FORMAT, SOCKETLAB_VERSION, type SessionEntry } from '../../../shared/transcript';
import {
  entryFromJson,
  HEADER_PARTS,
  headerPartFromJson,
  SessionSequence,
  type HeaderPart,
  type SocketlabHeader,
} from './socketlabEntries';
import { isoTime } from './socketlab';
import { Utf8Check } from './utf8';
import { count, shown, sizeInWords, visible } from './wording';

export interface SocketlabFileInfo {
  /** The file's format version. */
  version: number;
  /** The Socket Lab that saved the file (`app.version`). */
  appVersion: string;
  /** When it was saved, as written (RFC 3339). */
  savedAt: string;
  sessionId: string;
  /** Wall clock at the session's t = 0, ms since 1970. */
  startedAt: number;
  entries: number;
  /** Data bytes kept, both directions, every connection (on a TLS connection, the plain bytes inside TLS). */
  bytes: number;
  progress: LabProgress | null;
}

export interface SocketlabReadOptions {
  /** Default LIMITS.maxTranscriptFileBytes. */
  maxFileBytes?: number;
  /** Lists and objects inside each other; default 32 (a Socket Lab file uses 5). */
  maxDepth?: number;
  /** Bytes of one entry, or of one part of the header, as written in the file; default 8 MiB. */
  maxEntryBytes?: number;
  /** Default 10,000,000. */
  maxEntries?: number;
  /** Characters of one text other than base64 bytes (a host, a message); default 65,536. */
  maxStringLength?: number;
}

const DEFAULTS = {
  maxDepth: 32,
  maxEntryBytes: 8 * 1024 * 1024,
  maxEntries: 10_000_000,
  maxStringLength: 65_536,
};

/** The tokenizer is fed this much at a time, so limits are checked (and entries handed on) at least this often. */
const SLICE_BYTES = 64 * 1024;

const HINT_DAMAGED = 'Open the original file again, or save the session again from Socket Lab.';
const HINT_CUT = 'The copy or download may not have finished: get the file again, or save the session again.';
const HINT_FOREIGN = 'Open a .socketlab file that Socket Lab saved.';
const HINT_CHANGED =
  'The file was changed after Socket Lab saved it. Open the original file, or save the session again.';

/** Carries a finished result out through the tokenizer's callbacks. */
class Stop {
  constructor(readonly error: LabError) {}
}

function badFile(message: string, hint: string, detail?: string): Stop {
  const result = fail('BAD_FILE', message, hint, detail);
  return new Stop((result as { ok: false; error: LabError }).error);
}

type Container = 'object' | 'array';

/** Counts lines as the bytes go by, so a message can say where in an editor to look. */
class LineCounter {
  #slice: Uint8Array = new Uint8Array(0);
  #sliceStart = 0;
  /** Newlines before #countedTo. */
  #newlines = 0;
  #countedTo = 0;

  startSlice(slice: Uint8Array, start: number): void {
    this.#slice = slice;
    this.#sliceStart = start;
  }

  finishSlice(): void {
    this.lineAt(this.#sliceStart + this.#slice.byteLength);
  }

  /** The 1-based line of a byte offset at or after the last one asked about (earlier ones get that line). */
  lineAt(offset: number): number {
    const to = Math.min(offset, this.#sliceStart + this.#slice.byteLength);
    for (let at = Math.max(this.#countedTo, this.#sliceStart); at < to; at += 1) {
      if (this.#slice[at - this.#sliceStart] === 0x0a) this.#newlines += 1;
    }
    this.#countedTo = Math.max(this.#countedTo, to);
    return this.#newlines + 1;
  }
}

/** Reads one file; `readSocketlab` drives it. */
class SocketlabReader {
  readonly #limits: Required<SocketlabReadOptions>;
  readonly #tokenizer = new Tokenizer();
  readonly #parser = new TokenParser({
    paths: ['$.format', '$.version', ...HEADER_PARTS.map((part) => `$.${part}`), '$.entries.*'],
    keepStack: false,
  });
  readonly #utf8 = new Utf8Check();
  readonly #lines = new LineCounter();
  readonly #sequence = new SessionSequence();
  #queue: SessionEntry[] = [];
  #bytesRead = 0;

  // Where the tokens are.
  readonly #stack: Container[] = [];
  #rootSeen = false;
  #rootClosed = false;
  #rootKeyNext = false;
  #rootKey: string | null = null;
  readonly #rootKeysSeen = new Set<string>();
  #previousString: string | null = null;
  #key: string | null = null;
  #lastTokenOffset = 0;
  /** Start of the entry or header part being read: no unit may grow past maxEntryBytes from here. */
  #unitStart = 0;
  #entryCount = 0;
  #entryLine = 1;

  // What the file has said so far.
  #formatSeen = false;
  #version: number | null = null;
  readonly #header: Partial<SocketlabHeader> = {};
  /** A problem found before format and version were known: reported once it is clear the file is ours. */
  #pending: LabError | null = null;

  constructor(options: SocketlabReadOptions) {
    this.#limits = {
      maxFileBytes: options.maxFileBytes ?? LIMITS.maxTranscriptFileBytes,
      maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
      maxEntryBytes: options.maxEntryBytes ?? DEFAULTS.maxEntryBytes,
      maxEntries: options.maxEntries ?? DEFAULTS.maxEntries,
      maxStringLength: options.maxStringLength ?? DEFAULTS.maxStringLength,
    };
    keepByteOrderMarks(this.#tokenizer);
    this.#tokenizer.onToken = (token) => this.#onToken(token);
    this.#tokenizer.onEnd = () => {
      if (!this.#parser.isEnded) this.#parser.end();
    };
    this.#parser.onError = (error) => this.#tokenizer.error(error);
    this.#parser.onEnd = () => {
      this.#rootClosed = true;
      if (!this.#tokenizer.isEnded) this.#tokenizer.end();
    };
    this.#parser.onValue = ({ value, key, stack }) => this.#onValue(value, key, stack.length);
  }

  /**
   * Takes one chunk of the file; a finished (failed) result when the file is refused. A promise only when entries
   * are handed on: an input of many small chunks pays no promise for the chunks that finish no entry.
   */
  write(
    chunk: Uint8Array,
    onEntry: (entry: SessionEntry) => void | Promise<void>,
  ): Result<never> | undefined | Promise<Result<never> | undefined> {
    if (!(chunk instanceof Uint8Array)) {
      return fail('BAD_FILE', 'The file could not be read: it did not arrive as bytes.', HINT_DAMAGED);
    }
    if (this.#bytesRead + chunk.byteLength > this.#limits.maxFileBytes) {
      return fail(
        'FILE_TOO_LARGE',
        `This file is larger than ${sizeInWords(this.#limits.maxFileBytes)}, the largest transcript Socket Lab opens.`,
        'A whole 256 MiB session saves as about 350 MiB; a bigger file was not saved by Socket Lab, or was changed.',
      );
    }
    if (chunk.byteLength <= SLICE_BYTES) {
      const refused = this.#feed(chunk);
      if (refused || this.#queue.length === 0) return refused;
      return this.#deliver(onEntry);
    }
    return this.#writeSlices(chunk, onEntry);
  }

  async #writeSlices(
    chunk: Uint8Array,
    onEntry: (entry: SessionEntry) => void | Promise<void>,
  ): Promise<Result<never> | undefined> {
    for (let at = 0; at < chunk.byteLength; at += SLICE_BYTES) {
      const refused = this.#feed(chunk.subarray(at, at + SLICE_BYTES));
      if (refused) return refused;
      if (this.#queue.length === 0) continue;
      const failed = await this.#deliver(onEntry);
      if (failed) return failed;
    }
    return undefined;
  }

  /** The input is over: the last checks, and the file's info when it all holds together. */
  async end(onEntry: (entry: SessionEntry) => void | Promise<void>): Promise<Result<SocketlabFileInfo>> {
    try {
      if (!this.#tokenizer.isEnded) this.#tokenizer.end();
    } catch (error) {
      if (error instanceof Stop) return { ok: false, error: error.error };
      if (!isParseError(error)) return fault(error);
      return this.#rootSeen ? this.#cutShort() : this.#empty();
    }
    if (this.#utf8.incomplete) return this.#notUtf8(this.#bytesRead);
    if (!this.#rootSeen) return this.#empty();
    const failed = await this.#deliver(onEntry);
    if (failed) return failed;
    return this.#finish();
  }

  #feed(slice: Uint8Array): Result<never> | undefined {
    const start = this.#bytesRead;
    this.#bytesRead += slice.byteLength;
    this.#lines.startSlice(slice, start);
    if (start === 0 && slice.byteLength >= 2 && isUtf16Mark(slice[0] as number, slice[1] as number)) {
      return fail(
        'BAD_FILE',
        'This file is saved as UTF-16 text, but a Socket Lab file is UTF-8 JSON.',
        'An editor may have saved it in another encoding: save it again as UTF-8, or open the original file.',
      );
    }
    const bad = this.#utf8.check(slice);
    if (bad !== -1) return this.#notUtf8(start + bad, slice[bad]);
    try {
      this.#tokenizer.write(slice);
    } catch (error) {
      return this.#refusal(error);
    }
    this.#lines.finishSlice();
    if (this.#bytesRead - this.#unitStart > this.#limits.maxEntryBytes) return this.#tooLarge();
    return undefined;
  }

  async #deliver(onEntry: (entry: SessionEntry) => void | Promise<void>): Promise<Result<never> | undefined> {
    const queue = this.#queue;
    this.#queue = [];
    for (const entry of queue) {
      try {
        await onEntry(entry);
      } catch (error) {
        // The caller writes the entries somewhere; its failure is not the file's, so say whose it is.
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        return fail(
          typeof code === 'string' ? 'STORAGE' : 'INTERNAL',
          `The session could not be kept while opening the file: ${visible(String((error as Error)?.message ?? error))}.`,
          typeof code === 'string' ? 'Check that the disk has room, then open the file again.' : 'Open the file again.',
          code,
        );
      }
    }
    return undefined;
  }

  #refusal(error: unknown): Result<never> {
    if (error instanceof Stop) return { ok: false, error: error.error };
    if (!isParseError(error)) return fault(error);
    const detail = visible(String((error as Error)?.message ?? error));
    const match = /absolute position "(\d+)"/.exec(detail);
    const offset = match ? Number(match[1]) : this.#lastTokenOffset;
    const where = this.#where(offset);
    if (this.#rootClosed) {
      return fail(
        'BAD_FILE',
        `This file goes on after the end of the session, at ${where}: something was added to it, or two files were joined.`,
        HINT_DAMAGED,
        detail,
      );
    }
    if (!this.#rootSeen) return this.#notJson(where, detail);
    return fail('BAD_FILE', `This file is damaged: it stops being valid JSON at ${where}.`, HINT_DAMAGED, detail);
  }

  #where(offset: number): string {
    return `line ${count(this.#lines.lineAt(offset))} (byte ${count(offset)})`;
  }

  #notJson(where: string, detail?: string): Result<never> {
    return fail(
      'BAD_FILE',
      `This is not a Socket Lab session: it is not JSON (it goes wrong at ${where}).`,
      HINT_FOREIGN,
      detail,
    );
  }

  #notUtf8(offset: number, byte?: number): Result<never> {
    const which =
      byte === undefined
        ? 'the file ends in the middle of a character'
        : `byte ${count(offset)} is 0x${byte.toString(16).padStart(2, '0')}`;
    const where = this.#where(offset);
    if (!this.#rootSeen) {
      return fail(
        'BAD_FILE',
        `This is not a Socket Lab session: it is not text (${which}), and a Socket Lab file is JSON text.`,
        HINT_FOREIGN,
      );
    }
    return fail(
      'BAD_FILE',
      `This file is damaged: it is not UTF-8 text at ${where} (${which}), and a Socket Lab file is UTF-8 JSON.`,
      'If it was edited, save it again as UTF-8; otherwise open the original file again.',
    );
  }

  #empty(): Result<never> {
    return fail('BAD_FILE', 'This file is empty, so it holds no session.', HINT_CUT);
  }

  #cutShort(): Result<never> {
    const inside =
      this.#rootKey === 'entries' && this.#entryCount > 0
        ? `, in entry ${count(this.#entryCount)}`
        : this.#rootKey
          ? `, in its "${visible(this.#rootKey)}" part`
          : '';
    return fail(
      'BAD_FILE',
      `This file ends too soon: it stops after ${count(this.#bytesRead)} bytes${inside}, before the end of the session. It was cut off.`,
      HINT_CUT,
    );
  }

  #tooLarge(): Result<never> {
    const limit = sizeInWords(this.#limits.maxEntryBytes);
    if (this.#rootKey === 'entries' && this.#entryCount > 0 && this.#stack.length >= 2) {
      return fail(
        'BAD_FILE',
        `Entry ${count(this.#entryCount)} (line ${count(this.#entryLine)}) is larger than ${limit}, more than any entry Socket Lab writes (one send is at most ${sizeInWords(LIMITS.maxSendBytes)}).`,
        HINT_CHANGED,
      );
    }
    const part = this.#rootKey === null ? 'One part of this file' : `The file's "${visible(this.#rootKey)}" part`;
    return fail('BAD_FILE', `${part} is larger than ${limit}, more than Socket Lab ever writes there.`, HINT_CHANGED);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Tokens, on their way to the parser.

  #onToken(parsed: { token: TokenType; value: unknown; offset: number }): void {
    const { token, value, offset } = parsed;
    this.#lastTokenOffset = offset;
    const depth = this.#stack.length;
    if (this.#rootClosed) {
      throw badFile(
        `This file goes on after the end of the session, at ${this.#where(offset)}: something was added to it, or two files were joined.`,
        HINT_DAMAGED,
      );
    }
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        this.#valueStarts(token, depth, offset);
        if (depth + 1 > this.#limits.maxDepth) {
          throw badFile(
            `This file nests lists and objects more than ${count(this.#limits.maxDepth)} deep (at ${this.#where(offset)}); a Socket Lab file never nests more than a few, so it is damaged or not a session.`,
            HINT_DAMAGED,
          );
        }
        this.#stack.push(token === TokenType.LEFT_BRACE ? 'object' : 'array');
        break;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.#stack.pop();
        if (this.#stack.length === 1) this.#rootKey = null;
        break;
      case TokenType.STRING:
        if (depth === 1 && this.#rootKeyNext) {
          this.#rootKeyStarts(value as string, offset);
        } else {
          this.#valueStarts(token, depth, offset);
          this.#checkStringLength(value as string, offset);
        }
        break;
      case TokenType.NUMBER:
      case TokenType.TRUE:
      case TokenType.FALSE:
      case TokenType.NULL:
        this.#valueStarts(token, depth, offset);
        break;
      case TokenType.COMMA:
        if (depth === 1) {
          this.#rootKeyNext = true;
          this.#rootKey = null;
        }
        break;
      case TokenType.COLON:
        this.#key = this.#previousString;
        break;
      default:
        break;
    }
    this.#previousString = token === TokenType.STRING ? (value as string) : null;
    // The root object's own tokens and the commas of its lists end one unit and begin the next.
    if (depth <= 1 || (depth === 2 && this.#stack[1] === 'array' && token === TokenType.COMMA)) {
      this.#unitStart = offset;
    }
    this.#parser.write(parsed as Parameters<TokenParser['write']>[0]);
  }

  /** A value begins at `depth` (open containers around it). */
  #valueStarts(token: TokenType, depth: number, offset: number): void {
    if (depth === 0) {
      if (token !== TokenType.LEFT_BRACE) {
        throw badFile(
          'This is not a Socket Lab session: the file holds JSON, but a Socket Lab session is one JSON object that begins with "format": "socketlab".',
          HINT_FOREIGN,
        );
      }
      this.#rootSeen = true;
      this.#rootKeyNext = true;
      return;
    }
    if (depth === 1 && this.#rootKey === 'entries' && token !== TokenType.LEFT_BRACKET) {
      this.#keepOrStop(
        badFile(`This file's "entries" must be a list of entries, not ${tokenWords(token)}.`, HINT_CHANGED),
      );
    }
    if (depth === 2 && this.#rootKey === 'entries' && this.#stack[1] === 'array') {
      this.#entryCount += 1;
      this.#entryLine = this.#lines.lineAt(offset);
      this.#unitStart = offset;
      if (this.#entryCount > this.#limits.maxEntries) {
        throw badFile(
          `This file has more than ${count(this.#limits.maxEntries)} entries, more than Socket Lab opens.`,
          HINT_CHANGED,
        );
      }
    }
  }

  #rootKeyStarts(key: string, offset: number): void {
    this.#rootKeyNext = false;
    this.#rootKey = key;
    this.#unitStart = offset;
    if (key === 'entries' || key === 'format' || key === 'version' || (HEADER_PARTS as string[]).includes(key)) {
      if (this.#rootKeysSeen.has(key)) {
        throw badFile(
          `This file has "${key}" twice (the second at ${this.#where(offset)}), so it is not clear which one holds.`,
          HINT_CHANGED,
        );
      }
      this.#rootKeysSeen.add(key);
    }
    this.#checkStringLength(key, offset);
  }

  #checkStringLength(text: string, offset: number): void {
    // Base64 bytes may be long; every other text in a session is short.
    if (this.#key === 'bytes' || text.length <= this.#limits.maxStringLength) return;
    const where =
      this.#rootKey === 'entries' && this.#entryCount > 0
        ? `entry ${count(this.#entryCount)} (line ${count(this.#entryLine)})`
        : this.#where(offset);
    throw badFile(
      `A text in ${where} is ${count(text.length)} characters long; Socket Lab writes no text longer than ${count(this.#limits.maxStringLength)} there.`,
      HINT_CHANGED,
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Values the parser built: header parts and entries.

  #onValue(value: unknown, key: unknown, depth: number): void {
    if (depth === 1 && typeof key === 'string') {
      this.#headerValue(key, value);
    } else if (depth === 2 && typeof key === 'number' && this.#rootKey === 'entries') {
      this.#entryValue(value);
    }
  }

  #headerValue(key: string, value: unknown): void {
    if (key === 'format') {
      if (value !== SOCKETLAB_FORMAT) {
        throw badFile(
          typeof value === 'string'
            ? `This is not a Socket Lab session: its format is ${shown(value)}, not "${SOCKETLAB_FORMAT}".`
            : `This is not a Socket Lab session: its "format" is ${shown(value)}, not "${SOCKETLAB_FORMAT}".`,
          HINT_FOREIGN,
        );
      }
      this.#formatSeen = true;
      this.#raisePending();
      return;
    }
    if (key === 'version') {
      let refused: Stop | null = null;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        refused = badFile(
          `This file's "version" must be a whole number like ${SOCKETLAB_VERSION}, not ${shown(value)}.`,
          HINT_DAMAGED,
        );
      } else if (value > SOCKETLAB_VERSION) {
        refused = badFile(
          `This file was saved by a newer Socket Lab (version ${value}); this one reads version ${SOCKETLAB_VERSION}: update Socket Lab to open it.`,
          'Install the newest Socket Lab, then open the file again.',
        );
      }
      if (refused) {
        // Any JSON may have a "version"; it is about Socket Lab only once the format says so.
        if (this.#formatSeen) throw refused;
        this.#pending = refused.error; // and it explains any problem found before it better than that problem
        this.#queue = [];
        return;
      }
      this.#version = value as number;
      this.#raisePending();
      return;
    }
    const part = key as HeaderPart;
    const checked = headerPartFromJson(part, value);
    if (!checked.ok) {
      this.#keepOrStop(badFile(`This file's "${part}" part is damaged: ${checked.problem}.`, HINT_CHANGED));
      return;
    }
    (this.#header as Record<HeaderPart, unknown>)[part] = checked.value;
  }

  #entryValue(value: unknown): void {
    if (this.#pending) return; // already refused; reading on only to learn the format and version
    const damaged = (problem: string): Stop =>
      badFile(
        `Entry ${count(this.#entryCount)} (line ${count(this.#entryLine)}) is damaged: ${problem}.`,
        HINT_CHANGED,
      );
    const checked = entryFromJson(value, this.#limits.maxStringLength);
    if (!checked.ok) {
      this.#keepOrStop(damaged(checked.problem));
      return;
    }
    const problem = this.#sequence.add(checked.entry);
    if (problem !== undefined) {
      this.#keepOrStop(damaged(problem));
      return;
    }
    this.#queue.push(checked.entry);
  }

  /** A content problem stops at once in a file known to be ours; otherwise it waits for the format and version,
   *  which say better what is wrong with a foreign or newer file. */
  #keepOrStop(stop: Stop): void {
    if (this.#formatSeen && this.#version !== null) throw stop;
    this.#pending ??= stop.error;
    this.#queue = [];
  }

  #raisePending(): void {
    if (this.#pending && this.#formatSeen && this.#version !== null) throw new Stop(this.#pending);
  }

  #finish(): Result<SocketlabFileInfo> {
    if (!this.#formatSeen) {
      return fail(
        'BAD_FILE',
        `This is not a Socket Lab session: the file holds JSON, but no "format": "${SOCKETLAB_FORMAT}".`,
        HINT_FOREIGN,
      );
    }
    if (this.#version === null) {
      return fail('BAD_FILE', 'This Socket Lab file has no "version", so it cannot be read safely.', HINT_DAMAGED);
    }
    if (this.#pending) return { ok: false, error: this.#pending };
    const header = this.#header;
    for (const part of HEADER_PARTS) {
      if (!(part in header)) {
        return fail('BAD_FILE', `This Socket Lab file has no "${part}" part, so it is damaged.`, HINT_CHANGED);
      }
    }
    const start = this.#sequence.start;
    if (!this.#rootKeysSeen.has('entries') || start === null) {
      return fail('BAD_FILE', 'This Socket Lab file has no entries, so it holds no session.', HINT_CHANGED);
    }
    const { app, savedAt, session, progress, totals } = header as SocketlabHeader;
    const disagreement = (what: string, said: string, found: string): Result<never> =>
      fail(
        'BAD_FILE',
        `This file's header says the session's ${what} is ${said}, but its entries say ${found}: the file was changed, or put together from two files.`,
        HINT_CHANGED,
      );
    if (session.id !== start.sessionId) return disagreement('id', shown(session.id), shown(start.sessionId));
    if (session.startedAt !== new Date(start.startedAt).getTime()) {
      return disagreement('start', isoTime(session.startedAt), isoTime(start.startedAt));
    }
    if (session.transport !== start.transport) {
      return disagreement('transport', shown(session.transport), shown(start.transport));
    }
    if (session.platform !== start.platform) {
      return disagreement('platform', shown(session.platform), shown(start.platform));
    }
    if (session.endedCleanly !== this.#sequence.ended) {
      return disagreement(
        'ending',
        session.endedCleanly ? 'a clean one' : 'not a clean one',
        this.#sequence.ended ? 'it ended cleanly' : 'it did not',
      );
    }
    if (totals.entries !== this.#sequence.entries) {
      return fail(
        'BAD_FILE',
        `This file says it holds ${count(totals.entries)} entries, but it has ${count(this.#sequence.entries)}: entries were lost or added after it was saved.`,
        HINT_CHANGED,
      );
    }
    if (totals.dataBytes !== this.#sequence.dataBytes) {
      return fail(
        'BAD_FILE',
        `This file says it holds ${count(totals.dataBytes)} bytes of data, but its entries hold ${count(this.#sequence.dataBytes)}: it was changed after it was saved.`,
        HINT_CHANGED,
      );
    }
    if ((totals.wireBytes ?? 0) !== this.#sequence.wireBytes) {
      return fail(
        'BAD_FILE',
        `This file says it holds ${count(totals.wireBytes ?? 0)} bytes of TLS records on the wire, but its entries hold ${count(this.#sequence.wireBytes)}: it was changed after it was saved.`,
        HINT_CHANGED,
      );
    }
    return ok({
      version: this.#version,
      appVersion: app.version,
      savedAt,
      sessionId: start.sessionId,
      startedAt: start.startedAt,
      entries: this.#sequence.entries,
      bytes: this.#sequence.dataBytes,
      progress,
    });
  }
}

/**
 * @streamparser/json 0.0.26 decodes the pieces of a string with a TextDecoder that takes a leading U+FEFF for a
 * byte-order mark and drops it, so a U+FEFF in any string (raw or escaped as \ufeff) vanished and a round trip
 * changed the text. Its string builders get a decoder that keeps it; the file's own BOM is the tokenizer's
 * business, not theirs. The round-trip tests fail if a later version moves these fields.
 */
function keepByteOrderMarks(tokenizer: Tokenizer): void {
  const builders = tokenizer as unknown as Record<string, { decoder?: unknown } | undefined>;
  for (const name of ['bufferedString', 'bufferedNumber']) {
    const builder = builders[name];
    if (builder && builder.decoder instanceof TextDecoder) {
      builder.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    }
  }
}

/** The parser's own word that the JSON is wrong, as opposed to a fault in this module that passed through it. */
function isParseError(error: unknown): boolean {
  return (
    error instanceof TokenizerError ||
    error instanceof TokenParserError ||
    (error instanceof Error && error.message.startsWith('Parser ended in mid-parsing'))
  );
}

/** A fault in Socket Lab itself: never passed off as a damaged file, so tests and people see it for what it is. */
function fault(error: unknown): Result<never> {
  return fail(
    'INTERNAL',
    'Socket Lab could not read this file because of a fault in Socket Lab itself, not in the file.',
    'Please report it, with the file if you can.',
    visible(String((error as Error)?.stack ?? error)),
  );
}

function isUtf16Mark(first: number, second: number): boolean {
  return (first === 0xff && second === 0xfe) || (first === 0xfe && second === 0xff);
}

function tokenWords(token: TokenType): string {
  switch (token) {
    case TokenType.LEFT_BRACE:
      return 'an object';
    case TokenType.LEFT_BRACKET:
      return 'a list';
    case TokenType.STRING:
      return 'text';
    case TokenType.NUMBER:
      return 'a number';
    case TokenType.TRUE:
    case TokenType.FALSE:
      return 'true or false';
    case TokenType.NULL:
      return 'null';
    default:
      return 'something else';
  }
}

/**
 * Streams the file: calls onEntry for each entry in order (await it: the caller writes them to disk), and resolves
 * with the file's info once the whole file checked out; or with fail('BAD_FILE' | 'FILE_TOO_LARGE', plain words,
 * hint) at the first problem. Never throws, never hangs, bounded memory whatever the input. Entries handed on
 * before a failure belong to a file that was refused: the caller throws them away. (If onEntry itself throws, the
 * result is STORAGE for a system error with a code, else INTERNAL.)
 */
export async function readSocketlab(
  input: AsyncIterable<Uint8Array>,
  onEntry: (entry: SessionEntry) => void | Promise<void>,
  options: SocketlabReadOptions = {},
): Promise<Result<SocketlabFileInfo>> {
  const reader = new SocketlabReader(options);
  try {
    for await (const chunk of input) {
      // Leaving the loop early ends the input's iterator, so a refused file is not read on.
      const step = reader.write(chunk, onEntry);
      const refused = step instanceof Promise ? await step : step;
      if (refused) return refused;
    }
  } catch (error) {
    return fail(
      'BAD_FILE',
      `The file could not be read to the end: ${visible(String((error as Error)?.message ?? error))}.`,
      'Check that the file is still there and readable, then open it again.',
    );
  }
  return reader.end(onEntry);
}
