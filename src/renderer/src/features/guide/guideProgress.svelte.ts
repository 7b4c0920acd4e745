/**
 * The learner's progress through the guided lab: which steps passed, which step is on screen, and the
 * predictions they typed. Loaded from and saved to main (LabApi getProgress/saveProgress) so it survives a
 * restart. A passed step stays passed.
 */
import type { LabApi, LabProgress } from '../../../../shared/contract';
import type { Prediction } from './checks';
import { STEP_IDS, type StepId } from './steps';

export type ProgressState = 'loading' | 'ready' | 'failed';

function isStepId(id: string | null | undefined): id is StepId {
  return (STEP_IDS as readonly string[]).includes(id ?? '');
}

export class GuideProgress {
  readonly #lab: LabApi;
  #state = $state<ProgressState>('loading');
  #problem = $state<string | null>(null);
  #completed = $state.raw<readonly StepId[]>([]);
  #current = $state<StepId>(STEP_IDS[0]);
  #predictions = $state.raw<Readonly<Record<string, Prediction>>>({});
  /** Saves go one after another, so an older one never lands after a newer one. */
  #saving: Promise<void> = Promise.resolve();

  constructor(lab: LabApi) {
    this.#lab = lab;
  }

  get state(): ProgressState {
    return this.#state;
  }

  /** Why loading or saving failed, in plain words; null when all is well. */
  get problem(): string | null {
    return this.#problem;
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
    // Predictions from an earlier session were made before anything in this one: every answer comes after them.
    const predictions: Record<string, Prediction> = {};
    for (const [id, text] of Object.entries(saved.predictions)) predictions[id] = { text, fromEvent: 0 };
    this.#predictions = predictions;
    this.#problem = null;
    this.#state = 'ready';
  }

  /** A check passed: remember it for good. */
  markPassed(id: StepId): void {
    if (this.#completed.includes(id)) return;
    this.#completed = STEP_IDS.filter((step) => step === id || this.#completed.includes(step));
    this.#save();
  }

  goTo(id: StepId): void {
    if (this.#current === id) return;
    this.#current = id;
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
    return { completed: [...this.#completed], current: this.#current, predictions };
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
