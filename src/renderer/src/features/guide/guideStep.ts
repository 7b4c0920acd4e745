/**
 * The shape of one guided-lab step (its words, its task, its check) and the words several steps share. Text marks
 * what to type with `backticks`; the guide shows those parts as code, as plain text (never as HTML).
 */
import type { ConnectionId, LabServerInfo, LabServerKind } from '../../../../shared/contract';
import type { EventSource } from '../session/eventLog';
import type { StepCheck } from './checkHelpers';

export interface StepPrediction {
  /** The question, asked before the learner sends anything. */
  question: string;
  /** Label of the text box. */
  label: string;
  placeholder: string;
}

export interface PortFact {
  port: number;
  name: string;
  what: string;
}

/** A picture of the learner's own connection that shows the step's idea: what to look at, and which connection. */
export interface StepPicture {
  words: string;
  button: string;
  connection: (events: EventSource) => ConnectionId | null;
}

/** One step. `Id` is the step's own id as a literal type, so the list of steps in steps.ts yields `StepId`. */
export interface GuideStep<Id extends string> {
  id: Id;
  number: number;
  title: string;
  /** Paragraphs of explanation. */
  explain: string[];
  /** What to do, one instruction per item; the lab servers' real ports fill in where needed. */
  task: (servers: readonly LabServerInfo[]) => string[];
  prediction?: StepPrediction;
  /** A short program or message to read, shown as a code block. */
  code?: { caption: string; text: string }[];
  /** The port table of the last step. */
  ports?: PortFact[];
  picture?: StepPicture;
  check: StepCheck;
}

/** The port a lab server listens on, or a placeholder until the lab has told us. */
export function portOf(servers: readonly LabServerInfo[], kind: LabServerKind): string {
  const server = servers.find((entry) => entry.kind === kind);
  return server ? String(server.port) : '(its port appears here once the lab has started)';
}

export const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n';
/** The slides' telnet request: steps 4 and 5 use it, so romeo.txt's Content-Length is first seen in step 6. */
export const PAGE1_REQUEST = 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n';
export const URLLIB_REQUEST =
  'GET /romeo.txt HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\nHost: data.pr4e.org\\r\\nUser-Agent: Python-urllib/3.11\\r\\nConnection: close\\r\\n\\r\\n';
