import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../../../src/main/core/transcripts/atomicWrite';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-atomic-'));
  folders.push(made);
  return made;
}

describe('writeFileAtomically', () => {
  it('writes every chunk, in order, under the name asked for, and leaves no temporary file', async () => {
    const dir = folder();
    const file = path.join(dir, 'session.txt');
    async function* chunks() {
      yield new TextEncoder().encode('GET / HTTP/1.0\r\n');
      yield new TextEncoder().encode('\r\n');
    }
    expect(await writeFileAtomically(file, chunks())).toBe(18);
    expect(readFileSync(file, 'utf8')).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(readdirSync(dir)).toEqual(['session.txt']);
  });

  it('keeps the old file whole when the export fails half way, and cleans up after itself', async () => {
    const dir = folder();
    const file = path.join(dir, 'session.txt');
    writeFileSync(file, 'the good copy');
    async function* failing() {
      yield new TextEncoder().encode('half a');
      throw new Error('the journal could not be read');
    }
    await expect(writeFileAtomically(file, failing())).rejects.toThrow('the journal could not be read');
    expect(readFileSync(file, 'utf8')).toBe('the good copy');
    expect(readdirSync(dir)).toEqual(['session.txt']);
  });

  it('fails in plain sight for a folder that does not exist', async () => {
    const file = path.join(folder(), 'missing', 'session.txt');
    async function* one() {
      yield new Uint8Array([1]);
    }
    await expect(writeFileAtomically(file, one())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
