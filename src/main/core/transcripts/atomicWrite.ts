/**
 * Writes a file whole or not at all: into a temporary file beside it, fsync, then rename over the target, so a
 * crash or a full disk mid-save never leaves a half transcript where the learner expects a good one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomically(file: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  const handle = await open(temp, 'wx');
  let written = 0;
  try {
    for await (const chunk of chunks) {
      let at = 0;
      while (at < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, at, chunk.byteLength - at);
        at += bytesWritten;
      }
      written += chunk.byteLength;
    }
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  return written;
}
