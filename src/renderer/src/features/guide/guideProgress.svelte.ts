/**
 * The learner's progress through the guided lab: which steps passed, which step is on screen, the predictions
 * they typed and, if they gave it, their name. Loaded from and saved to main (LabApi getProgress/saveProgress) so
 * it survives a restart. A passed step stays passed, until the learner starts the lab again.
 *
 * Also, for this session only: when each step was on screen (as ranges of event indexes), because a step's check
 * counts only connections the learner opened while it was the step on screen.
 */
import type { LabApi, LabProgress } from '../../../../shared/contract';
import type { Prediction, StepVisit } from './checkHelpers';
import { STEP_IDS, type StepId } from './steps';

export type ProgressState = 'loading' | 'ready' | 'failed';

/** The longest name main keeps (src/main/core/progress.ts). */
const MAX_NAME_LENGTH = 80;

const OPEN_FROM_START: StepVisit = { from: 0, to: Infinity };

function isStepId(id: string | null | undefined): id is StepId {
  return (STEP_IDS as readonly string[]).includes(id ?? '');
}

export class GuideProgress {
  readonly #lab: LabApi;
  #state = $state<ProgressState>('loading');
  #problem = $state<string | null>(null);
  /** Main set a damaged progress file aside at this load: where it went; stays on screen while the page is open. */
  #notice = $state<string | null>(null);
  #completed = $state.raw<readonly StepId[]>([]);
  #current = $state<StepId>(STEP_IDS[0]);
  #predictions = $state.raw<Readonly<Record<string, Prediction>>>({});
  #learnerName = $state('');
  // The step on screen at the start counts the whole session so far.
  #visits = $state.raw<Readonly<Partial<Record<StepId, readonly StepVisit[]>>>>({ [STEP_IDS[0]]: [OPEN_FROM_START] });
  /** Saves go one after another, so an older one never lands after a newer one. */
  #saving: Promise<void> = Promise.resolve();

  constructor(lab: LabApi) {
    this.#lab = lab;
  }

  get state(): ProgressState {
    return this.#state;
  }

  /** Why loading or saving failed, or that a damaged progress file was set aside, in plain words; else null. */
  get problem(): string | null {
    return this.#problem ?? this.#notice;
  }

  get completed(): readonly StepId[] {
    return this.#completed;
  }

  get current(): StepId {
    return this.#current;
  }

  get predictions(): Readonly<Record<string, Prediction>> {
    return this.#predictions;
  }

  isPassed(id: StepId): boolean {
    return this.#completed.includes(id);
  }

  /** The learner's name, or '' when they gave none. */
  get learnerName(): string {
    return this.#learnerName;
  }

  /** When this step was on screen in this session, as event-index ranges; empty if it never was. */
  visits(id: StepId): readonly StepVisit[] {
    return this.#visits[id] ?? [];
  }

  async load(): Promise<void> {
    this.#state = 'loading';
    const result = await this.#lab.getProgress();
    if (!result.ok) {
      this.#state = 'failed';
      this.#problem = `Your progress could not be loaded: ${result.error.message} ${result.error.hint}`;
      return;
    }
    const saved = result.value;
    this.#completed = saved.completed.filter(isStepId);
    if (isStepId(saved.current)) this.#current = saved.current;
    this.#visits = { [this.#current]: [OPEN_FROM_START] };
    this.#learnerName = saved.learnerName ?? '';
    // Predictions from an earlier session were made before anything in this one: every answer comes after them.
    const predictions: Record<string, Prediction> = {};
    for (const [id, text] of Object.entries(saved.predictions)) predictions[id] = { text, fromEvent: 0 };
    this.#predictions = predictions;
    this.#problem = null;
    this.#notice = saved.notice ? `${saved.notice.message} ${saved.notice.hint}` : null;
    this.#state = 'ready';
  }

  /** A check passed: remember it for good. */
  markPassed(id: StepId): void {
    if (this.#completed.includes(id)) return;
    this.#completed = STEP_IDS.filter((step) => step === id || this.#completed.includes(step));
    this.#save();
  }

  /** Show step `id`; `eventCount` is the session's event count now: the step's check counts from here. */
  goTo(id: StepId, eventCount: number): void {
    if (this.#current === id) return;
    const leaving = (this.#visits[this.#current] ?? []).map((visit) =>
      visit.to === Infinity ? { from: visit.from, to: eventCount } : visit,
    );
    const coming = [...(this.#visits[id] ?? []), { from: eventCount, to: Infinity }];
    this.#visits = { ...this.#visits, [this.#current]: leaving, [id]: coming };
    this.#current = id;
    this.#save();
  }

  /** One line of text, at most 80 characters (main refuses more); '' forgets the name. */
  setLearnerName(name: string): void {
    let clean = '';
    for (const char of name.replace(/\s+/g, ' ').trim()) {
      // Main refuses control characters, and counts length in UTF-16 units: never cut a character in two.
      if (char < ' ' || char === '\u007f') continue;
      if (clean.length + char.length > MAX_NAME_LENGTH) break;
      clean += char;
    }
    clean = clean.trim();
    if (clean === this.#learnerName) return;
    this.#learnerName = clean;
    this.#save();
  }

  /** Start the lab again: no step passed, no prediction, step 1, counting from now. The name stays. */
  restart(eventCount: number): void {
    this.#completed = [];
    this.#predictions = {};
    this.#current = STEP_IDS[0];
    this.#visits = { [STEP_IDS[0]]: [{ from: eventCount, to: Infinity }] };
    this.#save();
  }

  /** Saves a prediction; only answers that arrive after event number `eventCount` are compared with it. */
  predict(id: StepId, text: string, eventCount: number): void {
    this.#predictions = { ...this.#predictions, [id]: { text: text.slice(0, 2000), fromEvent: eventCount } };
    this.#save();
  }

  toProgress(): LabProgress {
    const predictions: Record<string, string> = {};
    for (const [id, prediction] of Object.entries(this.#predictions)) predictions[id] = prediction.text;
    const progress: LabProgress = { completed: [...this.#completed], current: this.#current, predictions };
    if (this.#learnerName !== '') progress.learnerName = this.#learnerName;
    return progress;
  }

  #save(): void {
    // Nothing is saved before the saved progress was read: that would overwrite it with an empty one.
    if (this.#state !== 'ready') return;
    const progress = this.toProgress();
    this.#saving = this.#saving.then(async () => {
      const result = await this.#lab.saveProgress(progress);
      this.#problem = result.ok
        ? null
        : `Your progress could not be saved: ${result.error.message} It is kept on screen until you close the lab.`;
    });
  }

  /** Resolves once every save asked for so far has finished (for tests). */
  settled(): Promise<void> {
    return this.#saving;
  }
}
