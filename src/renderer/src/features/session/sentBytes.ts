/**
 * The bytes of the learner's own sends, kept until main's event for each arrives. Main tells the renderer of a
 * send by its offset and length only (a SentEvent: the renderer has the bytes already), and this puts the bytes
 * back. `send` answers with the offset its bytes went to, so the match is exact even when sends overlap; main
 * handles sends in the order they were made, so their bytes leave in that order.
 *
 * An event can arrive before the answer to its send (a full batch goes out at once): while a send to that
 * connection is still unanswered, `take` says to wait. Plain TypeScript; the store calls it.
 */
import type { ConnectionId, SendReceipt, SentEvent } from '../../../../shared/contract';

interface Pending {
  /** Sends made and not answered yet. */
  unanswered: number;
  /** Bytes of answered sends whose event has not arrived, by stream offset. */
  byOffset: Map<number, Uint8Array>;
}

export class SentBytes {
  readonly #connections = new Map<ConnectionId, Pending>();

  /** A send to `id` has been made; its answer is on the way. */
  begin(id: ConnectionId): void {
    this.#pending(id).unanswered += 1;
  }

  /** The answer came: the bytes went to `receipt.offset`, or (null) the send was refused and sent nothing. */
  settle(id: ConnectionId, bytes: Uint8Array, receipt: SendReceipt | null): void {
    const pending = this.#pending(id);
    pending.unanswered = Math.max(0, pending.unanswered - 1);
    if (receipt && receipt.length === bytes.byteLength && bytes.byteLength > 0)
      pending.byOffset.set(receipt.offset, bytes);
    this.#tidy(id, pending);
  }

  /** Can `event` be given its bytes now (or be known never to get them)? */
  ready(event: SentEvent): boolean {
    const pending = this.#connections.get(event.id);
    return !pending || pending.byOffset.has(event.offset) || pending.unanswered === 0;
  }

  /** The bytes of `event`, taken out; null when no send of this renderer accounts for them. */
  take(event: SentEvent): Uint8Array | null {
    const pending = this.#connections.get(event.id);
    const bytes = pending?.byOffset.get(event.offset);
    if (!pending || !bytes) return null;
    pending.byOffset.delete(event.offset);
    this.#tidy(event.id, pending);
    return bytes.byteLength === event.length ? bytes : null;
  }

  /** Sends under way or waiting for their event, all connections. */
  get size(): number {
    let size = 0;
    for (const pending of this.#connections.values()) size += pending.unanswered + pending.byOffset.size;
    return size;
  }

  #pending(id: ConnectionId): Pending {
    let pending = this.#connections.get(id);
    if (!pending) {
      pending = { unanswered: 0, byOffset: new Map() };
      this.#connections.set(id, pending);
    }
    return pending;
  }

  #tidy(id: ConnectionId, pending: Pending): void {
    if (pending.unanswered === 0 && pending.byOffset.size === 0) this.#connections.delete(id);
  }
}
