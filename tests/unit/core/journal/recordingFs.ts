/**
 * Test helper: the journal's file operations on real files, with every call logged (what, when, how much), and
 * failures a test asks for: a write that runs out of space (a real ENOSPC from /dev/full where the machine has it),
 * or an fsync that fails.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { nodeJournalFs, type JournalFile, type JournalFs } from '../../../../src/main/core/journal';

export interface FsCall {
  op: 'create' | 'writev' | 'sync' | 'close' | 'syncDir';
  at: number;
  /** writev: bytes asked to write, and where. */
  bytes?: number;
  position?: number;
  /** sync: bytes written (by completed writevs) when it was called. */
  writtenBefore?: number;
}

export interface RecordingFsOptions {
  /** Once this many bytes have been written to a journal, its writes fail with ENOSPC. */
  fullAfterBytes?: number;
  /** The nth fsync (1 = first) fails with this code. */
  failSync?: { nth: number; code: string };
}

export const HAS_DEV_FULL = existsSync('/dev/full');

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} failed (injected)`), { code, syscall });
}

export class RecordingFs implements JournalFs {
  readonly calls: FsCall[] = [];
  /** Set by the test to see whether any call happens while it runs synchronous code. */
  readonly options: RecordingFsOptions;
  written = 0;
  #syncs = 0;

  constructor(options: RecordingFsOptions = {}) {
    this.options = options;
  }

  count(op: FsCall['op']): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  async create(file: string): Promise<JournalFile> {
    this.calls.push({ op: 'create', at: performance.now() });
    const real = await nodeJournalFs.create(file);
    // A real device that answers every write with ENOSPC, for the writes past the limit.
    const full = HAS_DEV_FULL && this.options.fullAfterBytes !== undefined ? await open('/dev/full', 'w') : null;
    return {
      writev: async (buffers, position) => {
        const bytes = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
        this.calls.push({ op: 'writev', at: performance.now(), bytes, position });
        const limit = this.options.fullAfterBytes;
        if (limit !== undefined && this.written + bytes > limit) {
          if (full) await full.writev(buffers);
          throw errno('ENOSPC', 'write');
        }
        const result = await real.writev(buffers, position);
        this.written += result.bytesWritten;
        return result;
      },
      sync: async () => {
        this.#syncs += 1;
        this.calls.push({ op: 'sync', at: performance.now(), writtenBefore: this.written });
        const fail = this.options.failSync;
        if (fail && fail.nth === this.#syncs) throw errno(fail.code, 'fsync');
        await real.sync();
      },
      close: async () => {
        this.calls.push({ op: 'close', at: performance.now() });
        await full?.close();
        await real.close();
      },
    };
  }

  async syncDir(dir: string): Promise<void> {
    this.calls.push({ op: 'syncDir', at: performance.now() });
    await nodeJournalFs.syncDir(dir);
  }

  remove(file: string): Promise<void> {
    return nodeJournalFs.remove(file);
  }
}
