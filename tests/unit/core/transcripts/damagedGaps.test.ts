/**
 * A recovered journal with a damaged record in the middle: the hole it leaves is marked (markingGaps) as bytes the
 * journal saved but lost, never as "not saved, the journal was full", and never filled with bytes; the .socketlab of
 * it opens again with the mark kept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { markingGaps, memorySource } from '../../../../src/main/core/transcripts/source';
import { textExporter } from '../../../../src/main/core/transcripts/text';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { dataEvent, startEntry } from '../journal/helpers';
import { exportToBuffer, readBack } from './socketlabSessions';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(path.resolve('docs/socketlab.schema.json'), 'utf8')) as object);

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const id = 'c1';

/** An echo of three lines whose middle echo (offset 7, 15 bytes) was set aside as damaged. */
const DAMAGED: SessionEntry[] = [
  startEntry(),
  { kind: 'event', t: 1, event: { id, t: 1, type: 'resolving', host: 'echo.lab.test', port: 7, route: 'lab' } },
  {
    kind: 'event',
    t: 2,
    event: {
      id,
      t: 2,
      type: 'connected',
      local: { address: '127.0.0.1', port: 50000, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 40007, family: 'IPv4' },
      route: 'lab',
      answeredBy: 'Lab echo server',
      elapsedMs: 1,
    },
  },
  dataEvent(id, 'out', 0, ascii('first\r\n'), 3),
  dataEvent(id, 'in', 0, ascii('first\r\n'), 4),
  dataEvent(id, 'out', 7, ascii('SECOND-MARKER\r\n'), 5),
  dataEvent(id, 'out', 22, ascii('third\r\n'), 7),
  dataEvent(id, 'in', 22, ascii('third\r\n'), 8),
];

async function all(entries: AsyncIterable<SessionEntry>): Promise<SessionEntry[]> {
  const out: SessionEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

function marked(): ReturnType<typeof memorySource> {
  const source = memorySource(DAMAGED, summarize(DAMAGED));
  return { ...source, entries: () => markingGaps(source.entries()) };
}

describe('a hole a damaged record left', () => {
  it('is marked where it was, as saved but lost, and nowhere else', async () => {
    const entries = await all(marked().entries());
    const holes = entries.filter((entry) => entry.kind === 'unsaved');
    expect(holes).toEqual([{ kind: 'unsaved', t: 8, id, dir: 'in', offset: 7, length: 15, damaged: true }]);
    expect(entries.indexOf(holes[0] as SessionEntry)).toBe(entries.length - 2);
  });

  it('reads in the .txt as lost, with the reason, and its bytes are not made up', async () => {
    const text = (await exportToBuffer(textExporter(), marked())).toString('utf8');
    expect(text).toMatch(
      /#1 received 15 bytes that were lost: the journal saved them, but their record was damaged\s+on disk/,
    );
    expect(text).not.toContain('the journal was full');
    // With the summary counting the hole too, as the store's does, the header gives the same reason.
    const counted = await all(marked().entries());
    const header = (await exportToBuffer(textExporter(), memorySource(counted, summarize(counted)))).toString('utf8');
    // The header is wrapped to the page: any white space may stand between its words.
    expect(header.replace(/\s+/g, ' ')).toContain(
      'Data: 29 bytes sent, 14 bytes received, and 15 bytes counted but lost (their records in the journal were damaged)',
    );
    expect(text).toContain('SECOND-MARKER');
    expect(text.match(/third/g)).toHaveLength(2);
  });

  it('and bytes past a full journal in the same session: the header gives each its own reason and count', async () => {
    const counted = await all(marked().entries());
    const both: SessionEntry[] = [
      ...counted,
      { kind: 'journal-full', t: 9, limitBytes: 64 },
      { kind: 'unsaved', t: 10, id, dir: 'in', offset: 29, length: 1000 },
    ];
    const summary = summarize(both);
    expect(summary.connections[0]).toMatchObject({ unsavedBytes: 1015, lostBytes: 15 });
    const header = (await exportToBuffer(textExporter(), memorySource(both, summary))).toString('utf8');
    expect(header.replace(/\s+/g, ' ')).toContain(
      'Data: 29 bytes sent, 14 bytes received, and 1,000 bytes counted but not saved (the journal was full), and ' +
        '15 bytes counted but lost (their records in the journal were damaged)',
    );
    // Each run keeps its own reason in the log part too.
    expect(header).toMatch(/#1 received 1,000 bytes that were not saved \(the journal was full\)/);
    expect(header).toMatch(/#1 received 15 bytes that were lost/);
  });

  it('survives a .socketlab round trip with its mark, so the export opens again', async () => {
    const file = await exportToBuffer(socketlabExporter(), marked());
    expect(file.toString('utf8')).toContain('"damaged":true');
    expect(validate(JSON.parse(file.toString('utf8'))), JSON.stringify(validate.errors)).toBe(true);
    const { result, entries } = await readBack(file);
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries.find((entry) => entry.kind === 'unsaved')).toMatchObject({ offset: 7, length: 15, damaged: true });
    // Without the mark the same entries do not hold together, and the reader says so in words.
    const unmarked = await exportToBuffer(socketlabExporter(), memorySource(DAMAGED, summarize(DAMAGED)));
    const refused = await readBack(unmarked);
    expect(refused.result.ok ? 'ok' : refused.result.error.message).toContain('15 bytes are missing');
  });
});
