/**
 * CRC32 of large journal batches on a worker thread, so the main thread (which also reads every socket) only copies
 * bytes (about 4x cheaper than checksumming them). One worker per process, shared by every journal, started on first
 * use; it holds the process open only while it has work. Should it fail to start or die, journals checksum on the
 * main thread as before: the bytes on disk are the same either way.
 *
 * A job is a framed batch (fragments laid out as on disk, CRC fields still empty) and the offsets of its fragment
 * headers; the worker fills in each fragment's CRC32 (over length, type, sequence number and payload: header bytes
 * 4..11, then the payload) and hands the buffer back. The buffer moves between threads (transferred, not copied).
 */
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { FRAGMENT_HEADER_BYTES } from './format';

// Plain CommonJS run with eval, so no bundler has to know about a second entry point.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { crc32 } = require('node:zlib');
parentPort.on('message', (job) => {
  const bytes = new Uint8Array(job.buffer);
  const view = new DataView(job.buffer);
  for (const at of job.offsets) {
    const length = view.getUint16(at + 4, true);
    view.setUint32(at, crc32(bytes.subarray(at + 4, at + ${FRAGMENT_HEADER_BYTES} + length)), true);
  }
  parentPort.postMessage({ id: job.id, buffer: job.buffer }, [job.buffer]);
});
parentPort.postMessage({ ready: true });
`;

/** Fills in the CRC of each fragment whose header starts at one of `offsets`, on this thread. */
export function sealFragments(buffer: Buffer, offsets: ArrayLike<number>): void {
  for (let i = 0; i < offsets.length; i++) {
    const at = offsets[i] as number;
    const length = buffer.readUInt16LE(at + 4);
    buffer.writeUInt32LE(crc32(buffer.subarray(at + 4, at + FRAGMENT_HEADER_BYTES + length)), at);
  }
}

interface Job {
  resolve: (buffer: Buffer) => void;
  reject: (error: Error) => void;
}

export class CrcWorker {
  static #shared: CrcWorker | null = null;
  /** Worker threads cannot run here, or the worker kept dying: checksum on the main thread from now on. */
  static #broken = false;
  static #deaths = 0;

  readonly #worker: Worker;
  readonly #jobs = new Map<number, Job>();
  #nextId = 1;
  #dead = false;
  #ready = false;

  /** The process's worker, started now if need be (again after it died, a few times); null where it cannot run. */
  static shared(): CrcWorker | null {
    if (CrcWorker.#broken) return null;
    if (CrcWorker.#shared === null || CrcWorker.#shared.#dead) {
      try {
        CrcWorker.#shared = new CrcWorker();
      } catch {
        CrcWorker.#broken = true;
        return null;
      }
    }
    return CrcWorker.#shared;
  }

  private constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (reply: { id: number; buffer: ArrayBuffer } | { ready: true }) => {
      if ('ready' in reply) {
        this.#ready = true;
        return;
      }
      const job = this.#jobs.get(reply.id);
      if (!job) return;
      this.#jobs.delete(reply.id);
      if (this.#jobs.size === 0) this.#worker.unref();
      job.resolve(Buffer.from(reply.buffer));
    });
    const die = (error: Error): void => {
      if (this.#dead) return;
      this.#dead = true;
      CrcWorker.#deaths += 1;
      if (CrcWorker.#deaths >= 3) CrcWorker.#broken = true;
      for (const job of this.#jobs.values()) job.reject(error);
      this.#jobs.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`the checksum worker stopped (exit code ${code})`)));
  }

  /** Started and answering. Until then (tens of ms after the first journal opens) callers checksum themselves,
   *  so the first batches never wait for a thread to boot. */
  get ready(): boolean {
    return this.#ready && !this.#dead;
  }

  /**
   * Checksums the fragments of `buffer` on the worker. The buffer must own its whole ArrayBuffer (it is moved to
   * the worker and is unusable here until the returned copy-free Buffer comes back). Rejects if the worker dies; the
   * caller then still has its records and frames them again.
   */
  seal(buffer: Buffer, offsets: Uint32Array): Promise<Buffer> {
    if (this.#dead) return Promise.reject(new Error('the checksum worker has stopped'));
    const id = this.#nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      // Only while it has work: an idle worker must never keep the lab running.
      if (this.#jobs.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, buffer: buffer.buffer, offsets }, [buffer.buffer as ArrayBuffer]);
    });
  }

  /** For tests: stops the worker as a crash would. */
  async terminateForTests(): Promise<void> {
    await this.#worker.terminate();
  }
}
