/** Step 7 of the guided lab, Who closes?: its words and its check. */
import { result, connectionsFrom, httpStep, requestVersion, type StepCheck } from '../checkHelpers';
import { ROMEO_REQUEST, type GuideStep } from '../guideStep';
import { exchanges, type ConnectionFacts } from '../../session/sessionFacts';
import { headerValue } from '../../../../../shared/http';
import { closedConnection } from '../../timeline/guidePictures';

/** HTTP/1.0: the server closes after answering. HTTP/1.1 with Host: the connection stays open for more. */
export const checkWhoCloses: StepCheck = httpStep((events, context) => {
  let closedByServer: ConnectionFacts | null = null;
  let keptOpen: { conn: ConnectionFacts; how: string } | null = null;
  for (const conn of connectionsFrom(events, context)) {
    const list = exchanges(conn);
    const first = list[0];
    if (!first || !first.responseComplete || first.responseIndex === null) continue;
    const version = requestVersion(first.request);
    if (
      version === 'HTTP/1.0' &&
      conn.peerEndedIndex !== null &&
      (conn.localEndedIndex === null || conn.peerEndedIndex < conn.localEndedIndex)
    ) {
      closedByServer ??= conn;
    }
    if (version === 'HTTP/1.1' && headerValue(first.request, 'host') !== undefined) {
      const second = list[1];
      const serverEnd = conn.peerEndedIndex ?? Infinity;
      const learnerClosed = conn.closedBy === 'local' || conn.closedBy === 'abort' ? conn.closedIndex : null;
      const learnerEnd = Math.min(conn.localEndedIndex ?? Infinity, learnerClosed ?? Infinity);
      if (second?.responseComplete && (second.responseIndex ?? Infinity) < serverEnd) {
        keptOpen ??= { conn, how: 'A second request on the same connection got a second answer' };
      } else if (learnerEnd < serverEnd && learnerEnd > first.responseIndex) {
        keptOpen ??= { conn, how: 'The server kept the connection open until you closed it' };
      }
    }
  }
  const parts = [
    { label: 'HTTP/1.0: the server closed after its answer (FIN received)', done: closedByServer !== null },
    { label: 'HTTP/1.1 with Host: the connection stayed open after the answer', done: keptOpen !== null },
  ];
  return result(
    parts,
    `With HTTP/1.0 the server closed the connection, which is what ends a recv() loop (recv returns b''). ${keptOpen?.how ?? ''}: with HTTP/1.1 it waits for more.`,
    closedByServer
      ? 'HTTP/1.0 done. Now send the HTTP/1.1 request with a Host header, then send it again on the same connection.'
      : 'Send an HTTP/1.0 request and watch who sends FIN first.',
  );
});

export const whoClosesStep: GuideStep<'who-closes'> = {
  id: 'who-closes',
  number: 7,
  title: 'Who closes?',
  explain: [
    'With HTTP/1.0 the server closes the connection once it has sent its answer: it sends FIN, the TCP way of saying "I have nothing more to send". In Python that is the moment `recv()` returns an empty `b\'\'`, which is how a recv loop knows to stop.',
    'HTTP/1.1 keeps the connection open so that the next request can use it, which saves setting up a new connection every time. The end of each answer is then found from its Content-Length, not from the close. HTTP/1.1 also needs a `Host` header naming the site.',
  ],
  task: () => [
    `Connect to \`data.pr4e.org\` port \`80\` and send \`${ROMEO_REQUEST}\`. After the body, the log shows the server’s FIN: it has finished sending.`,
    'Connect again and pick the template "HTTP/1.1 with a Host header": `GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n`. Send it. The answer comes, and no FIN.',
    'Press Send once more on the same connection: a second answer arrives on the same pipe. Then press Close.',
  ],
  picture: {
    words:
      'See it drawn: the timeline of the HTTP/1.0 connection shows the answer arriving, then the server’s FIN coming back to your program before yours goes out. On the HTTP/1.1 connection no FIN comes until you close.',
    button: 'Open the timeline',
    connection: closedConnection,
  },
  check: checkWhoCloses,
};
