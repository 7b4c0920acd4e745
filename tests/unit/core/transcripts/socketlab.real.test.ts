/** A real session on loopback exports to .socketlab, validates against docs/socketlab.schema.json, reads back the same. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { ERROR_CODES } from '../../../../src/shared/errors';
import { closedPort } from '../connections/loopback';
import { labRecording, recordTour, type LabRecording } from './labSession';
import { exportToBuffer, readBack } from './socketlabSessions';

const schema = JSON.parse(readFileSync(path.resolve('docs/socketlab.schema.json'), 'utf8')) as Record<string, unknown>;
// strictTuples flags prefixItems followed by open items, which is meant here: the start, then any later entries.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const save = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z') });

let recording: LabRecording;
let file: Buffer;
let json: Record<string, unknown>;

function schemaErrors(value: unknown): string {
  return validate(value) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

beforeAll(async () => {
  recording = await labRecording();
  await recordTour(recording, await closedPort());
  file = await exportToBuffer(save, recording.session.source());
  json = JSON.parse(file.toString('utf8')) as Record<string, unknown>;
});

afterAll(async () => {
  await recording.stop();
});

describe('a real session saved as .socketlab', () => {
  it('holds every kind of entry a session has', () => {
    const kinds = new Set(
      recording.session.entries.map((entry) => (entry.kind === 'event' ? entry.event.type : entry.kind)),
    );
    for (const kind of ['start', 'resolving', 'resolved', 'connecting', 'connected', 'data', 'local-ended']) {
      expect(kinds).toContain(kind);
    }
    for (const kind of ['peer-ended', 'closed', 'error', 'slow-mode', 'progress', 'journal-full', 'unsaved', 'end']) {
      expect(kinds).toContain(kind);
    }
    // TLS: both layers, what the handshake settled, and wire bytes past the journal's cap.
    for (const kind of ['wire', 'tls']) expect(kinds).toContain(kind);
    const entries = recording.session.entries;
    expect(entries.some((entry) => entry.kind === 'event' && entry.event.type === 'resolving' && entry.event.tls)).toBe(
      true,
    );
    expect(entries.some((entry) => entry.kind === 'unsaved' && entry.wire)).toBe(true);
  });

  it('validates against the JSON Schema (draft 2020-12, ajv)', () => {
    expect(schemaErrors(json)).toBe('');
  });

  it('reads back entry for entry, with the info the header and totals give', async () => {
    const { result, entries } = await readBack(file, {}, 4096);
    expect(result.ok ? '' : result.error.message).toBe('');
    expect(entries).toEqual(recording.session.entries);
    const summary = recording.session.summary();
    expect(result.ok && result.value).toEqual({
      version: 1,
      appVersion: '0.1.0',
      savedAt: '2026-12-01T09:30:00.000Z',
      sessionId: 'test-session',
      startedAt: summary.startedAt,
      entries: summary.entries,
      bytes: summary.bytes,
      progress: summary.progress,
    });
    expect(summary.bytes).toBeGreaterThan(230_210); // the picture is in it
  });

  it('is one entry per line, the header first and the totals last', () => {
    const lines = file.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('{"format":"socketlab","version":1,');
    expect(lines.at(-1)).toMatch(/^"totals":\{"entries":\d+,"dataBytes":\d+,"wireBytes":\d+\}\}$/);
    const entryLines = lines.filter((line) => line.startsWith('{"kind":'));
    expect(entryLines).toHaveLength(recording.session.entries.length);
    for (const line of entryLines) expect(() => JSON.parse(line.replace(/,$/, ''))).not.toThrow();
  });

  it('the schema lists the same error codes as the app', () => {
    const defs = schema.$defs as Record<string, { enum: string[] }>;
    expect(defs.errorCode?.enum).toEqual([...ERROR_CODES]);
  });

  it('the schema refuses what the format forbids (so passing it means something)', () => {
    const entries = json.entries as Array<Record<string, unknown>>;
    const dataIndex = entries.findIndex(
      (entry) => entry.kind === 'event' && (entry.event as { type: string }).type === 'data',
    );
    const eventAt = (copy: Record<string, unknown>, type: string): Record<string, unknown> => {
      const found = (copy.entries as Array<{ kind: string; event?: Record<string, unknown> }>).find(
        (entry) => entry.kind === 'event' && entry.event?.type === type,
      );
      if (!found?.event) throw new Error(`no ${type} event`);
      return found.event;
    };
    const certificateOf = (copy: Record<string, unknown>): Record<string, unknown> =>
      eventAt(copy, 'tls').certificate as Record<string, unknown>;
    const variants: Array<[string, (copy: Record<string, unknown>) => void]> = [
      ['a foreign format', (copy) => (copy.format = 'har')],
      ['a newer version', (copy) => (copy.version = 2)],
      ['no totals', (copy) => delete copy.totals],
      ['a second start', (copy) => (copy.entries as unknown[]).push(entries[0])],
      ['no start first', (copy) => (copy.entries as unknown[]).shift()],
      [
        'broken base64',
        (copy) => {
          const entry = (copy.entries as Array<{ event: { bytes: string } }>)[dataIndex];
          if (entry) entry.event.bytes = 'R0VU!';
        },
      ],
      [
        'a port out of range',
        (copy) => {
          const conn = (copy.connections as Array<{ port: number }>)[0];
          if (conn) conn.port = 70000;
        },
      ],
      ['an unknown entry kind', (copy) => (copy.entries as unknown[]).push({ kind: 'telepathy', t: 1 })],
      ['a savedAt that is no time', (copy) => (copy.savedAt = 'yesterday')],
      ['"tls": false on resolving', (copy) => (eventAt(copy, 'resolving').tls = false)],
      ['records written in a wire event', (copy) => (eventAt(copy, 'wire').records = [])],
      ['a wire event with no bytes', (copy) => (eventAt(copy, 'wire').bytes = '')],
      ['a protocol with a space', (copy) => (eventAt(copy, 'tls').protocol = 'TLS 1.3')],
      ['no cipher', (copy) => delete eventAt(copy, 'tls').cipher],
      ['an alpn of 256 characters', (copy) => (eventAt(copy, 'tls').alpn = 'h'.repeat(256))],
      [
        'a fingerprint in lowercase',
        (copy) => (certificateOf(copy).sha256 = String(certificateOf(copy).sha256).toLowerCase()),
      ],
      [
        'a fingerprint of SHA-1 length',
        (copy) => (certificateOf(copy).sha256 = String(certificateOf(copy).sha256).slice(0, 59)),
      ],
      ['a validTo that is no date', (copy) => (certificateOf(copy).validTo = 'next year')],
      ['a validFrom with no milliseconds', (copy) => (certificateOf(copy).validFrom = '2026-11-30T14:02:00Z')],
      ['altNames as one text', (copy) => (certificateOf(copy).altNames = 'DNS:data.pr4e.org')],
      ['a serial number in lowercase hex', (copy) => (certificateOf(copy).serialNumber = 'abc123')],
      ['selfSigned as text', (copy) => (certificateOf(copy).selfSigned = 'yes')],
      [
        "the lab's own certificate, but none shown",
        (copy) => {
          eventAt(copy, 'tls').certificate = null;
        },
      ],
      ['trust without words', (copy) => delete (eventAt(copy, 'tls').trust as Record<string, unknown>).why],
      ['a negative handshake time', (copy) => (eventAt(copy, 'tls').handshakeMs = -1)],
      [
        '"wire": false on unsaved',
        (copy) => {
          const unsaved = (copy.entries as Array<Record<string, unknown>>).find((entry) => entry.kind === 'unsaved');
          if (unsaved) unsaved.wire = false;
        },
      ],
      ['wireBytes of 0 in the totals', (copy) => ((copy.totals as Record<string, unknown>).wireBytes = 0)],
    ];
    for (const [what, change] of variants) {
      const copy = structuredClone(json);
      change(copy);
      expect(schemaErrors(copy), what).not.toBe('');
    }
  });
});
