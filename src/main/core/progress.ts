import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabProgress } from '../../shared/contract';
import { fail, ok, type Result } from '../../shared/errors';

const MAX_STEPS = 100;
const MAX_ID_LENGTH = 64;
const MAX_PREDICTION_LENGTH = 2000;
/** Long enough for any name a learner types; a name is shown on screen, never used as a path. */
export const MAX_LEARNER_NAME_LENGTH = 80;

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
  const unknownKeys = Object.keys(record).filter(
    (key) => !['completed', 'current', 'predictions', 'learnerName'].includes(key),
  );
  if (unknownKeys.length > 0) return bad(`unknown field ${JSON.stringify(unknownKeys[0])}`);
  const { completed, current, predictions, learnerName } = record;
  if (!Array.isArray(completed) || completed.length > MAX_STEPS || !completed.every(isStepId)) {
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

/**
 * Guided-lab progress on disk, so it survives a restart. Written atomically (temp file, then rename). Loads and
 * saves take turns, so a load that sets a corrupt file aside can never move a save that landed meanwhile.
 */
export class ProgressStore {
  readonly #file: string;
  #turns: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'progress.json');
  }

  load(): Promise<LabProgress> {
    return this.#inTurn(() => this.#read());
  }

  save(progress: LabProgress): Promise<void> {
    // In turn, so an older save never lands after a newer one.
    return this.#inTurn(async () => {
      await mkdir(path.dirname(this.#file), { recursive: true });
      const temp = `${this.#file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(progress, null, 2) + '\n', 'utf8');
      await rename(temp, this.#file);
    });
  }

  #inTurn<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#turns.catch(() => undefined).then(task);
    this.#turns = turn;
    return turn;
  }

  async #read(): Promise<LabProgress> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch {
      return emptyProgress();
    }
    try {
      const checked = validateProgress(JSON.parse(text));
      if (checked.ok) return checked.value;
    } catch {
      // fall through: a corrupt file is set aside, never silently overwritten
    }
    await rename(this.#file, `${this.#file}.corrupt-${Date.now()}`).catch(() => undefined);
    return emptyProgress();
  }
}
