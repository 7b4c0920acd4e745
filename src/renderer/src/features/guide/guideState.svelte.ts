/**
 * The guided lab on screen: which step is shown, every shown step's check on the session's events, and what the
 * learner predicted. The guide's components read this class; it owns no effect (saving a pass is `savePasses()`,
 * which the guide calls from its one effect, since a pass is found in derived results).
 */
import type { LabSessionStore } from '../session/labSession.svelte';
import type { CheckContext, CheckResult, Prediction } from './checkHelpers';
import type { GuideStep } from './guideStep';
import { GuideProgress } from './guideProgress.svelte';
import { STEP_IDS, STEPS, stepById, type StepId } from './steps';

export class GuideState {
  readonly progress: GuideProgress;
  readonly #store: LabSessionStore;

  #step = $derived.by(() => stepById(this.progress.current) ?? (STEPS[0] as GuideStep<StepId>));

  /**
   * Checks of the steps not yet passed that have been on screen, plus the one on screen (passed steps need no more
   * work per batch). Each counts only connections opened while it was on screen, so none arrives half done.
   */
  #results = $derived.by(() => {
    const events = this.#store.events;
    const out: Partial<Record<StepId, CheckResult>> = {};
    for (const entry of STEPS) {
      const visits = this.progress.visits(entry.id);
      if (entry.id !== this.#step.id && (visits.length === 0 || this.progress.isPassed(entry.id))) continue;
      const context: CheckContext = {
        labServers: this.#store.labServers,
        predictions: this.progress.predictions,
        visits,
      };
      out[entry.id] = entry.check(events, context);
    }
    return out;
  });

  constructor(store: LabSessionStore) {
    this.#store = store;
    this.progress = new GuideProgress(store.lab);
  }

  get store(): LabSessionStore {
    return this.#store;
  }

  get step(): GuideStep<StepId> {
    return this.#step;
  }

  get stepIndex(): number {
    return STEP_IDS.indexOf(this.#step.id);
  }

  get stepCount(): number {
    return STEPS.length;
  }

  get passedCount(): number {
    return this.progress.completed.length;
  }

  /** The check of the step on screen. */
  get current(): CheckResult | undefined {
    return this.#results[this.#step.id];
  }

  get currentPassed(): boolean {
    return this.passed(this.#step.id);
  }

  /** The step on screen's saved prediction, if the learner made one. */
  get savedPrediction(): Prediction | undefined {
    return this.progress.predictions[this.#step.id];
  }

  /** Passed and saved, or passing now (if progress could not be loaded, nothing is saved but the check still shows). */
  passed(id: StepId): boolean {
    return this.progress.isPassed(id) || this.#results[id]?.passed === true;
  }

  goTo(id: StepId): void {
    this.progress.goTo(id, this.#store.events.length);
  }

  /** The step before (-1) or after (+1) the one on screen; false at either end. */
  move(by: -1 | 1): boolean {
    const id = STEP_IDS[this.stepIndex + by];
    if (id === undefined) return false;
    this.goTo(id);
    return true;
  }

  /** Keeps the learner's prediction for the step on screen; only answers after it count. */
  predict(text: string): void {
    const trimmed = text.trim();
    if (trimmed !== '') this.progress.predict(this.#step.id, trimmed, this.#store.events.length);
  }

  restart(): void {
    this.progress.restart(this.#store.events.length);
  }

  /** Saves every step whose check passes now (a passed step stays passed); nothing before progress has loaded. */
  savePasses(): void {
    if (this.progress.state !== 'ready') return;
    for (const entry of STEPS) if (this.#results[entry.id]?.passed) this.progress.markPassed(entry.id);
  }
}
