import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shown } from '../../shared/boundary';
import type { LabProgress, SavedProgress } from '../../shared/contract';
import { fail, ok, type LabError, type Result } from '../../shared/errors';
import { storageFailure, storageReadFailure, storageReason } from './storageErrors';

const MAX_STEPS = 100;
const MAX_ID_LENGTH = 64;
const MAX_PREDICTION_LENGTH = 2000;
/** Long enough for any name a learner types; a name is shown on screen, never used as a path. */
export const MAX_LEARNER_NAME_LENGTH = 80;
/** The fields of LabProgress this version knows. */
const KNOWN_FIELDS: readonly string[] = ['completed', 'current', 'predictions', 'learnerName'];

export function emptyProgress(): LabProgress {
  return { completed: [], current: null, predictions: {} };
}

function isStepId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && /^[a-z0-9-]+$/.test(value);
}

/** Checks a progress record from the renderer or from disk; anything else is refused whole. */
export function validateProgress(raw: unknown): Result<LabProgress> {
  const bad = (what: string) =>
    fail<LabProgress>('BAD_REQUEST', `The lab progress is not in the expected shape: ${what}.`, 'Reload the lab.');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not an object');
  const record = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((key) => !KNOWN_FIELDS.includes(key));
  if (unknownKeys.length > 0) return bad(`unknown field ${shown(unknownKeys[0])}`);
  const { completed, current, predictions, learnerName } = record;
  // Array.from, not every() alone: every() skips the holes of a sparse list, which Electron's IPC carries.
  if (!Array.isArray(completed) || completed.length > MAX_STEPS || !Array.from(completed).every(isStepId)) {
    return bad('"completed" must be a list of step ids');
  }
  if (current !== null && !isStepId(current)) return bad('"current" must be a step id or null');
  if (typeof predictions !== 'object' || predictions === null || Array.isArray(predictions)) {
    return bad('"predictions" must be an object');
  }
  const entries = Object.entries(predictions as Record<string, unknown>);
  if (entries.length > MAX_STEPS) return bad('too many predictions');
  const cleanPredictions: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!isStepId(key) || typeof value !== 'string' || value.length > MAX_PREDICTION_LENGTH) {
      return bad('each prediction must be short text under a step id');
    }
    cleanPredictions[key] = value;
  }
  const clean: LabProgress = { completed: [...new Set(completed)], current, predictions: cleanPredictions };
  if (learnerName !== undefined) {
    // Control characters would only garble the screen; a name is plain text of one line.
    if (
      typeof learnerName !== 'string' ||
      learnerName.length > MAX_LEARNER_NAME_LENGTH ||
      [...learnerName].some((char) => char < ' ' || char === '\u007f')
    ) {
      return bad(`"learnerName" must be one line of text, at most ${MAX_LEARNER_NAME_LENGTH} characters`);
    }
    const name = learnerName.trim();
    if (name !== '') clean.learnerName = name;
  }
  return ok(clean);
}

/** Larger than any progress this version writes (100 predictions of 2000 characters), far below harm. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Progress read from disk, which a newer version may have written: the fields this version knows are checked as
 * strictly as the renderer's, and the ones it does not know are kept aside (to be written back), never refused.
 */
export function readProgressFile(
  raw: unknown,
): Result<{ progress: LabProgress; unknownFields: Record<string, unknown> }> {
  const knownFields: Record<string, unknown> = {};
  const unknownFields: Record<string, unknown> = {};
  const isRecord = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  for (const [key, value] of isRecord ? Object.entries(raw) : []) {
    if (KNOWN_FIELDS.includes(key)) knownFields[key] = value;
    // defineProperty, not assignment: a "__proto__" key in the file stays a field of data, never a prototype.
    else Object.defineProperty(unknownFields, key, { value, enumerable: true, configurable: true, writable: true });
  }
  const checked = validateProgress(isRecord ? knownFields : raw);
  return checked.ok ? ok({ progress: checked.value, unknownFields }) : checked;
}

/**
 * Guided-lab progress on disk, so it survives a restart. Written atomically (temp file, then rename). Loads and
 * saves take turns, so a load that sets a corrupt file aside can never move a save that landed meanwhile.
 *
 * A file from a newer version keeps the fields this version does not know, on every save. A file that really is
 * corrupt is set aside (renamed, never deleted) and every load says so, where it went, until progress is saved anew.
 */
export class ProgressStore {
  readonly #file: string;
  #turns: Promise<unknown> = Promise.resolve();
  #unknownFields: Record<string, unknown> = {};
  #setAside: LabError | undefined;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'progress.json');
  }

  /** The progress, or a fresh one when there is none or it cannot be read (for the session's journal). */
  async load(): Promise<LabProgress> {
    const read = await this.read();
    if (!read.ok) return emptyProgress();
    const { notice: _notice, ...progress } = read.value;
    return progress;
  }

  /** The progress with a notice when a damaged file was set aside; an error when the file cannot be read at all. */
  read(): Promise<Result<SavedProgress>> {
    return this.#inTurn(() => this.#read());
  }

  save(progress: LabProgress): Promise<Result<null>> {
    // In turn, so an older save never lands after a newer one.
    return this.#inTurn(async () => {
      const temp = `${this.#file}.${process.pid}.tmp`;
      try {
        await mkdir(path.dirname(this.#file), { recursive: true });
        const record = { ...this.#unknownFields, ...progress };
        await writeFile(temp, JSON.stringify(record, null, 2) + '\n', 'utf8');
        await rename(temp, this.#file);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        return storageFailure('Your guide progress', path.dirname(this.#file), error);
      }
      // The file now holds the learner's new progress: the old damaged one is no longer news.
      this.#setAside = undefined;
      return ok(null);
    });
  }

  #inTurn<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#turns.catch(() => undefined).then(task);
    this.#turns = turn;
    return turn;
  }

  #fresh(): SavedProgress {
    return this.#setAside ? { ...emptyProgress(), notice: this.#setAside } : emptyProgress();
  }

  async #read(): Promise<Result<SavedProgress>> {
    let text: string;
    try {
      const size = (await stat(this.#file)).size;
      // Too large to be progress: damaged, so set aside like any other damaged file.
      text = size > MAX_FILE_BYTES ? '' : await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(this.#fresh());
      // Unreadable is not corrupt: starting fresh would overwrite the learner's file at the next save.
      return storageReadFailure('Your saved guide progress', this.#file, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const checked = parsed === undefined ? undefined : readProgressFile(parsed);
    if (checked?.ok) {
      this.#unknownFields = checked.value.unknownFields;
      return ok(this.#setAside ? { ...checked.value.progress, notice: this.#setAside } : checked.value.progress);
    }
    // A corrupt file is set aside, never silently overwritten, and the learner is told where it went.
    const aside = `${this.#file}.corrupt-${Date.now()}`;
    this.#unknownFields = {};
    try {
      await rename(this.#file, aside);
      this.#setAside = {
        code: 'BAD_FILE',
        message: `Your saved guide progress was damaged, so it was moved to ${aside} and your progress starts fresh.`,
        hint: 'Nothing else is lost: your sessions are kept as before. The old file stays there if you want to look at it.',
      };
    } catch (error) {
      this.#setAside = {
        code: 'BAD_FILE',
        message: `Your saved guide progress in ${this.#file} is damaged and could not be moved aside (${storageReason(error)}), so your progress starts fresh.`,
        hint: 'Saving new progress will replace the damaged file; copy it somewhere first if you want to keep it.',
      };
    }
    return ok(this.#fresh());
  }
}
