/** Step 1 of the guided lab, A reliable pipe: its words and its check. */
import { result, count, connectionsFrom, sameBytes, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';
import { labServerKind } from '../../session/sessionFacts';

/** Echo: at least two sends on one connection to the echo server, and every byte came back in order. */
export const checkReliablePipe: StepCheck = (events, context) => {
  const echoes = connectionsFrom(events, context).filter((conn) => labServerKind(conn, context.labServers) === 'echo');
  const connected = echoes.length > 0;
  const twice = echoes.filter((conn) => conn.sends.length >= 2);
  const back = twice.find((conn) => {
    const kept = Math.min(conn.sent.length, conn.got.length);
    return conn.bytesIn >= conn.bytesOut && sameBytes(conn.sent.bytes(), conn.got.bytes(), kept);
  });
  const parts = [
    { label: 'Connected to the echo server', done: connected },
    { label: 'Sent two messages on that connection', done: twice.length > 0 },
    { label: 'Every byte came back, in the same order', done: back !== undefined },
  ];
  const pending = !connected
    ? 'No connection to the echo server yet.'
    : twice.length === 0
      ? 'Connected to the echo server. Now send two messages, one after the other.'
      : 'Waiting for every byte you sent to come back.';
  return result(
    parts,
    back
      ? `You sent ${count(back.bytesOut, 'byte')} in ${count(back.sends.length, 'send')}, and the same bytes came back in the same order.`
      : '',
    pending,
  );
};

export const reliablePipeStep: GuideStep<'reliable-pipe'> = {
  id: 'reliable-pipe',
  number: 1,
  title: 'A reliable pipe',
  explain: [
    'A TCP connection is a pipe between two programs. Bytes pushed in at one end come out at the other end: all of them, in the order they went in. When the network loses a piece on the way, TCP quietly sends it again, so your program never sees the gap.',
    'Each program holds its end of the pipe through a socket. A socket is much like an open file, except that it works both ways: the program writes bytes into it to send them, and reads from it what the other end sent.',
    'An echo server is the simplest program to put at the far end: it sends back every byte it receives.',
  ],
  task: () => [
    'In the workbench, pick the template "Echo: hello\\r\\n" (it fills in host `echo.lab.test` and port `7`), or type them yourself. Press Connect.',
    'The message box holds `hello\\r\\n`. Press Send.',
    'Type a second message, like `second try\\r\\n`, and press Send again.',
    'In the byte log, the received rows hold exactly the bytes you sent, in the same order.',
  ],
  check: checkReliablePipe,
};
