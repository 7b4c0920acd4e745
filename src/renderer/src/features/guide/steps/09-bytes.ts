/** Step 9 of the guided lab, Bytes, not characters: its words and its check. */
import { result, count, allExchanges, httpStep, status, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';
import { asksFor, type ConnectionFacts, type Exchange } from '../../session/sessionFacts';
import { piecesConnection } from '../../timeline/guidePictures';

const SMALL_ANSWER_BYTES = 16 * 1024;
const TRICKLE_PIECES = 4;

/** cover3.jpg: a body of bytes that are not text, starting with the JPEG signature FF D8 FF; then a small answer
 * trickled out by slow mode, arriving in pieces as recv() would get them. */
export const checkBytes: StepCheck = httpStep((events, context) => {
  const image = allExchanges(events, context).find(
    ({ exchange }) =>
      asksFor(exchange.request, 'cover3.jpg') &&
      status(exchange.response) === 200 &&
      exchange.responseComplete &&
      exchange.response !== null &&
      startsWithBytes(exchange.response.body, [0xff, 0xd8, 0xff]),
  );
  const asked = allExchanges(events, context).some(({ exchange }) => asksFor(exchange.request, 'cover3.jpg'));
  // On loopback a small answer comes in one read; four or more pieces of one answer means the server trickled it
  // (slow mode). Pieces are counted per answer: four quick answers on one keep-alive connection are not a trickle.
  const trickled = allExchanges(events, context)
    .map(({ conn, exchange }) => ({ conn, exchange, pieces: answerPieces(conn, exchange) }))
    .find(({ pieces }) => pieces !== null && pieces.bytes <= SMALL_ANSWER_BYTES && pieces.count >= TRICKLE_PIECES);
  const parts = [
    { label: 'Asked for cover3.jpg', done: asked },
    { label: 'The whole image arrived; its body starts FF D8 FF', done: image !== undefined },
    { label: `A small answer arrived in ${TRICKLE_PIECES} or more pieces (slow mode)`, done: trickled !== undefined },
  ];
  let detail = '';
  if (image?.exchange.response) {
    const length = image.exchange.response.contentLength ?? image.conn.bytesIn - image.exchange.response.bodyStart;
    detail =
      `The body is ${count(length, 'byte')} and starts FF D8 FF, the mark of a JPEG: bytes, not characters. ` +
      `They arrived in ${count(image.conn.receivedEvents, 'piece')} here; a recv(5120) loop would need at least ${Math.ceil(image.conn.bytesIn / 5120)} calls.`;
  }
  if (trickled) {
    detail +=
      (detail ? ' ' : '') +
      `Slowed down, ${count(trickled.pieces?.bytes ?? 0, 'byte')} came in ${count(trickled.pieces?.count ?? 0, 'piece')}: each recv() returns only what has arrived so far.`;
  }
  // Say what is still missing, never "waiting" for a part that is already ticked.
  const pending = !asked
    ? 'Ask for cover3.jpg.'
    : !image
      ? 'Waiting for the whole image.'
      : 'The whole image is here. Now set the lab HTTP server speed to Slow, connect again and ask for romeo.txt.';
  return result(parts, detail, pending);
});

/** How many received chunks carried one whole answer, and its size; null while it is incomplete. */
function answerPieces(conn: ConnectionFacts, exchange: Exchange): { count: number; bytes: number } | null {
  const response = exchange.response;
  if (!response || !exchange.responseComplete) return null;
  const end =
    response.framing === 'content-length' && response.contentLength !== null
      ? response.bodyStart + response.contentLength
      : response.end;
  const count = conn.received.filter(
    (piece) => piece.offset < end && piece.offset + piece.length > response.start,
  ).length;
  return { count, bytes: end - response.start };
}

function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

export const bytesStep: GuideStep<'bytes'> = {
  id: 'bytes',
  number: 9,
  title: 'Bytes, not characters',
  explain: [
    'Everything on the pipe is bytes: numbers from 0 to 255. Text is one way to read bytes, as characters in an encoding such as UTF-8. That is why Python calls `encode()` before `send()` and `decode()` after `recv()`.',
    'An image is bytes that are not text at all: every JPEG file starts with the bytes FF D8 FF. A big answer does not come in one piece either: `recv(5120)` returns whatever has arrived so far, up to 5120 bytes, so the sizes vary from call to call.',
    'TCP also does flow control: when a program reads slowly, its side tells the sender to wait, so nothing is lost and nothing piles up. A slow network shows the other half: bytes arrive in pieces, as they come.',
  ],
  task: () => [
    'Connect to `data.pr4e.org` port `80`, pick the template "urljpeg.py: GET cover3.jpg" and Send.',
    'Switch the byte log to the hex view: after `0d 0a 0d 0a` (the blank line) the body starts `ff d8 ff`.',
    'Open the recv view and change n: how many calls would a recv(n) loop make?',
    'Now set "Lab HTTP server speed" (in the workbench, beside Connect) to Slow, connect again and send the romeo.txt request (template "socket1.py: GET romeo.txt"). Watch the answer arrive as many small received rows, the way it would over a slow network. Then set the speed back to Full.',
  ],
  picture: {
    words:
      'See the pieces: in the timeline every arrival is an arrow with its byte count, and "Bytes over time" climbs one step per piece. At full speed it is one tall step; slowed down it is a staircase.',
    button: 'Open the timeline',
    connection: piecesConnection,
  },
  check: checkBytes,
};
