/**
 * CRC32 (the IEEE polynomial, as zlib and LevelDB's log computes it) for the journal's fragments.
 *
 * The journal checks every byte it keeps, on the thread that reads the sockets, so the checksum's speed is the
 * journal's speed: zlib's crc32 runs at about 4.5 GB/s here, `@node-rs/crc32` (a prebuilt N-API module, so one
 * binary serves Node and Electron alike) at about 10 GB/s on the 32 KiB pieces the journal checks. Where that
 * module cannot load (a platform without a prebuilt binary, a package built without it), zlib's gives the same
 * numbers: a journal written with one is read with the other. Short pieces (a fragment's 7-byte header) go to
 * zlib, where a call costs less than crossing into the native module.
 *
 * Why not on a worker thread (measured 2026-12-02, this machine, Node 20): a worker can read only shared memory, and
 * a socket's reads land in memory of their own. A SharedArrayBuffer of 256 KiB (one read) took 112 µs to make
 * (zeroed, its pages faulted in) against 3.9 µs for Buffer.allocUnsafeSlow; copying each read into a shared ring
 * costs about what the checksum does; and a pool of shared read buffers cannot know when a buffer is free, because
 * views of a read's bytes (subarrays in the journal's batches, in delivery) outlive the event that made them. In
 * bench:journal the checksum runs at about 8 GB/s (the bytes are cold, just copied in by the kernel; 16 GB/s on a
 * second pass), about 17% of the journaled run's time.
 */
import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

export type Crc32 = (data: Uint8Array, value?: number) => number;

/** Below this many bytes a zlib call is cheaper than a native one (measured: 11 B zlib 2x faster, 1 KiB native 2x). */
const NATIVE_FROM_BYTES = 512;
/** CRC32 of "123456789", the standard check value. */
const CHECK_VALUE = 0xcbf43926;

/** `@node-rs/crc32`'s function if it loads and gives the standard check value, else null. */
export function loadNativeCrc32(load: (name: string) => unknown = createRequire(import.meta.url)): Crc32 | null {
  try {
    const native = (load('@node-rs/crc32') as { crc32?: unknown }).crc32;
    if (typeof native !== 'function') return null;
    const crc = native as (data: Uint8Array, value?: number) => number;
    return crc(Buffer.from('123456789', 'latin1')) >>> 0 === CHECK_VALUE ? crc : null;
  } catch {
    return null;
  }
}

const native = loadNativeCrc32();

/** Which implementation the journal checks bytes with, for the benchmark's report. */
export const crc32Implementation = native ? '@node-rs/crc32' : 'node:zlib';

/** CRC32 of `data`, continuing from `value` (the CRC of the bytes before it), as zlib.crc32 does. */
export const crc32: Crc32 = native
  ? (data, value = 0) => (data.byteLength >= NATIVE_FROM_BYTES ? native(data, value) >>> 0 : zlibCrc32(data, value))
  : (data, value = 0) => zlibCrc32(data, value);
