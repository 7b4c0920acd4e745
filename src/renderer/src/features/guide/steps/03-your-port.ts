/** Step 3 of the guided lab, Your side has a port too: its words and its check. */
import { result, connectionsFrom, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';
import type { ConnectionFacts } from '../../session/sessionFacts';

/** Two connections open at the same time to the same server, told apart by their local ports. */
export const checkYourPort: StepCheck = (events, context) => {
  const open = connectionsFrom(events, context).filter((conn) => conn.connectedIndex !== null && conn.local);
  let pair: [ConnectionFacts, ConnectionFacts] | null = null;
  for (let i = 0; i < open.length && !pair; i += 1) {
    for (let j = i + 1; j < open.length && !pair; j += 1) {
      const a = open[i] as ConnectionFacts;
      const b = open[j] as ConnectionFacts;
      const overlap =
        (a.connectedIndex as number) < (b.closedIndex ?? Infinity) &&
        (b.connectedIndex as number) < (a.closedIndex ?? Infinity);
      const sameServer = a.remote?.address === b.remote?.address && a.remote?.port === b.remote?.port;
      if (overlap && sameServer && a.local?.port !== b.local?.port) pair = [a, b];
    }
  }
  const parts = [
    { label: 'One connection open', done: open.length >= 1 },
    { label: 'A second connection to the same server while the first is still open', done: pair !== null },
  ];
  return result(
    parts,
    pair
      ? `Both connections go to port ${pair[0].remote?.port}, but yours are port ${pair[0].local?.port} and port ${pair[1].local?.port}: the pair of ports keeps the two conversations apart.`
      : '',
    open.length === 0
      ? 'No open connection yet.'
      : 'Open a second connection to the same server and port before closing the first.',
  );
};

export const yourPortStep: GuideStep<'your-port'> = {
  id: 'your-port',
  number: 3,
  title: 'Your side has a port too',
  explain: [
    'A connection has two ends, and each end has an address and a port. The server’s port is known in advance (80 for the web) so that clients can find it. Your end gets a port too: the system picks a free one, usually a big number, just for this connection. It is called an ephemeral port because it lasts only as long as the connection.',
    'The pair of ends is what keeps conversations apart: the same server can talk to two connections from the same computer because their local ports differ.',
  ],
  task: () => [
    'Connect to `echo.lab.test` port `7`. The "connected" row shows both ends: your address and port, and the server’s.',
    'Leave it open and press Connect again, to the same host and port.',
    'Compare the two "connected" rows: the same server port, two different local ports.',
  ],
  check: checkYourPort,
};
