/** Step 2 of the guided lab, Ports: which program answers: its words and its check. */
import { result, connectionsFrom, sameBytes, type StepCheck } from '../checkHelpers';
import { portOf, type GuideStep } from '../guideStep';
import { labServerKind, type ConnectionFacts } from '../../session/sessionFacts';

/**
 * One computer, different ports, different programs: the web server takes the connection on its port (nothing is
 * sent to it, so its answer stays a surprise for step 4), the echo server sends bytes back on its own, and a port
 * with nothing behind it refuses.
 */
export const checkPorts: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const http = connections.find(
    (conn) => labServerKind(conn, context.labServers) === 'http' && conn.connectedIndex !== null,
  );
  const echo = connections.find(
    (conn) =>
      labServerKind(conn, context.labServers) === 'echo' &&
      conn.bytesIn > 0 &&
      sameBytes(conn.sent.bytes(), conn.got.bytes(), Math.min(conn.sent.length, conn.got.length)),
  );
  const refused = connections.find((conn) => conn.error?.code === 'ECONNREFUSED');
  const parts = [
    { label: 'The web server took a connection on its port', done: http !== undefined },
    { label: 'The echo server sent your bytes back on its port', done: echo !== undefined },
    { label: 'A port with no program behind it refused the connection', done: refused !== undefined },
  ];
  const where = (conn: ConnectionFacts | undefined): string =>
    conn?.remote ? `${conn.remote.address} port ${conn.remote.port}` : '';
  return result(
    parts,
    `The web server took your connection at ${where(http)}, the echo server answered at ${where(echo)}, and port ${refused?.dialPort ?? '?'} refused: the port number picks the program.`,
    `${parts.filter((part) => part.done).length} of 3 done.`,
  );
};

export const portsStep: GuideStep<'ports'> = {
  id: 'ports',
  number: 2,
  title: 'Ports: which program answers',
  explain: [
    'One computer runs many programs that talk over the network. The address takes you to the computer; the port number takes you to one program on it. The same address with another port is another program.',
    'The lab runs its servers on this very computer, at `127.0.0.1` (the address every computer uses for itself), each on a port of its own. When no program listens on a port, the computer refuses the connection straight away.',
  ],
  task: (servers) => [
    `Connect to host \`127.0.0.1\` port \`${portOf(servers, 'http')}\`. The "connected" row says which program took the connection: the lab’s web server. A web server waits for the client to speak first, so nothing arrives; you will speak to it in step 4.`,
    `Connect to host \`127.0.0.1\` port \`${portOf(servers, 'echo')}\` and send \`hello\\r\\n\`. The echo server sends it back.`,
    'Connect to host `127.0.0.1` port `1`. No program listens there, so the connection is refused. Read the explanation in the log.',
  ],
  check: checkPorts,
};
