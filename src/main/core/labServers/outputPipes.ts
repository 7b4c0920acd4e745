/**
 * Logging must never stop a server. When stdout or stderr is a pipe whose reader has gone (`npm run lab-server |
 * head`, a closed IDE panel), the next write fails with EPIPE, and an 'error' event nobody listens for ends the
 * process. Each stream's errors are handled here, once; after one, that stream is left alone.
 */
import type { Writable } from 'node:stream';

const failed = new WeakSet<Writable>();
const watched = new WeakSet<Writable>();

/** Listens for errors on each stream (once per stream, however often this is called). */
export function keepRunningWhenOutputCloses(streams: readonly Writable[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (watched.has(stream)) continue;
    watched.add(stream);
    // Nobody is reading any more; there is no one to tell, so the server just goes on.
    stream.on('error', () => failed.add(stream));
  }
}

/** Writes a line unless the stream has already failed; never throws. */
export function writeLine(stream: Writable, line: string): void {
  if (failed.has(stream) || stream.destroyed) return;
  try {
    stream.write(`${line}\n`);
  } catch {
    failed.add(stream);
  }
}
