/**
 * The guided lab's eleven steps, in the order of chapter 12. Each step's words and its check live in its own file
 * under steps/; adding a step is one file there, its id here and its place in STEPS.
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

export const STEP_IDS = [
  'reliable-pipe',
  'ports',
  'your-port',
  'speak-http',
  'blank-line',
  'headers-body',
  'who-closes',
  'errors',
  'bytes',
  'urllib',
  'port-tour',
] as const;

export type StepId = (typeof STEP_IDS)[number];

export const STEPS: readonly GuideStep[] = [
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
];

/** A line of guide text split into plain parts and `code` parts. */
export function splitCode(text: string): Array<{ code: boolean; text: string }> {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part }));
}

export function stepById(id: string | null | undefined): GuideStep | undefined {
  return STEPS.find((step) => step.id === id);
}
