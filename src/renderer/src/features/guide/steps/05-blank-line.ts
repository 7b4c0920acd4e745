/** Step 5 of the guided lab, The blank line matters: its words and its check. */
import { result, connectionsFrom, httpStep, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';
import type { ConnectionFacts } from '../../session/sessionFacts';

/** The pause, in ms, that shows the server really waited for the blank line. */
export const BLANK_LINE_WAIT_MS = 1000;

/**
 * The request line sent alone (a whole line, no blank line yet), nothing came back for at least a second, then
 * the blank line was sent and only then did the answer come.
 */
export const checkBlankLine: StepCheck = httpStep((events, context) => {
  let lineAlone = false;
  let waited: { ms: number; conn: ConnectionFacts } | null = null;
  let answered: { ms: number; conn: ConnectionFacts } | null = null;
  for (const conn of connectionsFrom(events, context)) {
    const sent = conn.sent.bytes();
    // Look at the first sends only: the step is about one request typed in two parts.
    const sends = conn.sends.slice(0, 20);
    for (let k = 0; k < sends.length; k += 1) {
      const piece = sends[k];
      if (!piece || piece.offset + piece.length > sent.length) break;
      const head = conn.sent.prefixHttp(piece.offset + piece.length);
      if (!head || head.headersComplete) continue;
      lineAlone = true;
      const next = sends.slice(k + 1).find((later) => {
        const after = conn.sent.prefixHttp(later.offset + later.length);
        return after !== null && after.start === head.start && after.headersComplete;
      });
      if (!next) continue;
      const quiet = !conn.received.some((got) => got.index > piece.index && got.index < next.index);
      const ms = next.t - piece.t;
      if (!quiet || ms < BLANK_LINE_WAIT_MS) continue;
      waited = { ms, conn };
      const reply = conn.received.find((got) => got.index > next.index);
      if (reply) {
        answered = { ms, conn };
        break;
      }
    }
    if (answered) break;
  }
  const parts = [
    { label: 'Sent the request line without the blank line', done: lineAlone },
    { label: 'Waited: nothing came back, then sent the blank line', done: waited !== null },
    { label: 'The answer came after the blank line', done: answered !== null },
  ];
  return result(
    parts,
    answered
      ? `Nothing came back for ${(answered.ms / 1000).toFixed(1)} seconds: the server was waiting for the blank line. It answered only once the blank line arrived.`
      : '',
    !lineAlone
      ? 'Send just the request line (ending in \\r\\n) first, without the blank line.'
      : waited
        ? 'Waiting for the answer.'
        : `Wait at least ${BLANK_LINE_WAIT_MS / 1000} second and watch: nothing comes back. Then send the blank line (\\r\\n) alone.`,
  );
});

export const blankLineStep: GuideStep<'blank-line'> = {
  id: 'blank-line',
  number: 5,
  title: 'The blank line matters',
  explain: [
    'How does the server know the request is over? It reads line by line and stops at the empty line. Until that line arrives, it waits, because more header lines could still come.',
    'This is why someone typing a request by hand into telnet, as the slides do, sees nothing happen for a while: the server is patient, not broken. It does give up in the end: the lab’s web server waits 30 seconds, then answers 408 and closes.',
  ],
  task: () => [
    'Connect to `data.pr4e.org` port `80`.',
    'Send only the request line: `GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n`.',
    'Wait two or three seconds and watch the log: nothing comes back.',
    'Now send the blank line on its own: `\\r\\n`. The answer arrives at once.',
  ],
  check: checkBlankLine,
};
