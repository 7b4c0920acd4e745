/** A start that fails (lab files missing, a port that cannot be bound, the page not loading) says why, then quits. */
import { LabServerStartError } from '../core/labServers';

/** Thrown for a failure this app recognises, with the words to show. */
export class StartupError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.hint = hint;
  }
}

export interface StartupFailure {
  title: string;
  /** The dialog's text: what happened, then what to do. */
  content: string;
}

export const STARTUP_FAILURE_TITLE = 'Socket Lab could not start';

export function describeStartupFailure(error: unknown): StartupFailure {
  const text = (message: string, hint: string) => ({ title: STARTUP_FAILURE_TITLE, content: `${message}\n\n${hint}` });
  if (error instanceof StartupError) return text(error.message, error.hint);
  if (error instanceof LabServerStartError) {
    return text(
      `The built-in lab servers could not start. ${error.message}`,
      'Close the program that uses that port (or restart the computer), then start Socket Lab again.',
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return text(
    `Something went wrong while Socket Lab was starting: ${reason}`,
    'Start Socket Lab again. If this keeps happening, install it again.',
  );
}

/** The parts of Electron used to report it (so tests can watch them). */
export interface FailureReporter {
  showErrorBox(title: string, content: string): void;
  exit(code: number): void;
}

/**
 * The one way a failed start ends: the failure said in a dialog (once; a second failure during the same start adds
 * nothing), then the process exits, so no windowless process is left behind.
 */
export function startupFailureHandler(
  reporter: FailureReporter,
  log: (line: string) => void = console.error,
): (error: unknown) => void {
  let reported = false;
  return (error) => {
    if (reported) return;
    reported = true;
    const { title, content } = describeStartupFailure(error);
    log(`socket-lab: ${title}: ${content.replace(/\n+/g, ' ')}`);
    try {
      reporter.showErrorBox(title, content);
    } finally {
      reporter.exit(1);
    }
  };
}
