/**
 * The guided lab's eleven steps, in the order of chapter 12. Each step's id, words and check live in its own file
 * under steps/; adding a step is one file there and its place in the list below.
 */
import type { GuideStep } from './guideStep';
import { reliablePipeStep } from './steps/01-reliable-pipe';
import { portsStep } from './steps/02-ports';
import { yourPortStep } from './steps/03-your-port';
import { speakHttpStep } from './steps/04-speak-http';
import { blankLineStep } from './steps/05-blank-line';
import { headersBodyStep } from './steps/06-headers-body';
import { whoClosesStep } from './steps/07-who-closes';
import { errorsStep } from './steps/08-errors';
import { bytesStep } from './steps/09-bytes';
import { urllibStep } from './steps/10-urllib';
import { portTourStep } from './steps/11-port-tour';

const IN_ORDER = [
  reliablePipeStep,
  portsStep,
  yourPortStep,
  speakHttpStep,
  blankLineStep,
  headersBodyStep,
  whoClosesStep,
  errorsStep,
  bytesStep,
  urllibStep,
  portTourStep,
] as const;

/** The ids of a tuple of steps, position for position. */
type IdsOf<Steps extends readonly unknown[]> = {
  readonly [K in keyof Steps]: Steps[K] extends GuideStep<infer Id> ? Id : never;
};

/** Every step's id in order, as a tuple of literals (`STEP_IDS[0]` is `'reliable-pipe'`). */
// map keeps length and order, which TypeScript's array type cannot say, hence the cast.
export const STEP_IDS = IN_ORDER.map((step) => step.id) as unknown as IdsOf<typeof IN_ORDER>;

export type StepId = (typeof STEP_IDS)[number];

export const STEPS: readonly GuideStep<StepId>[] = IN_ORDER;

/** A line of guide text split into plain parts and `code` parts. */
export function splitCode(text: string): Array<{ code: boolean; text: string }> {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part }));
}

export function stepById(id: string | null | undefined): GuideStep<StepId> | undefined {
  return STEPS.find((step) => step.id === id);
}
