/**
 * Which connection the guide's "open the timeline" buttons show: the one whose picture makes the step's point,
 * read from the session's own events (the newest that fits), or null when none does yet.
 */
import type { ConnectionId } from '../../../../shared/contract';
import { sessionFacts } from '../session/sessionFacts';
import type { EventSource } from '../session/eventLog';

/** Step 7: the newest connection the other side closed (its FIN came), else the newest that received anything. */
export function closedConnection(events: EventSource): ConnectionId | null {
  const connections = sessionFacts(events).connections;
  for (let i = connections.length - 1; i >= 0; i--) {
    if (connections[i]?.peerEndedIndex !== null) return connections[i]?.id ?? null;
  }
  for (let i = connections.length - 1; i >= 0; i--) {
    if ((connections[i]?.receivedEvents ?? 0) > 0) return connections[i]?.id ?? null;
  }
  return null;
}

/** Step 9: the connection whose answer came in the most pieces (slow mode's trickle), the newest on a tie. */
export function piecesConnection(events: EventSource): ConnectionId | null {
  const connections = sessionFacts(events).connections;
  let best: { id: ConnectionId; pieces: number } | null = null;
  for (const conn of connections) {
    if (conn.receivedEvents > 0 && conn.receivedEvents >= (best?.pieces ?? 0)) {
      best = { id: conn.id, pieces: conn.receivedEvents };
    }
  }
  return best?.id ?? null;
}
