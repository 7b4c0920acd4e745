/**
 * .socketlab round trip, property-based: any valid session (TLS connections among them) exports to a file the JSON
 * Schema accepts, reads back the same (a wire event's records worked out again from its bytes), and exports the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import { summarize } from '../../../../src/shared/transcript';
import { exportToBuffer, FC_SEED, readBack, sessionArb, withoutSavedAt } from './socketlabSessions';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(path.resolve('docs/socketlab.schema.json'), 'utf8')) as object);

const firstSave = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z'), appVersion: '0.1.0' });
const secondSave = socketlabExporter({ now: () => new Date('2027-01-02T03:04:05.678Z'), appVersion: '0.1.0' });

describe('.socketlab round trip (fast-check)', () => {
  it('export (valid by the schema) -> read gives the same entries; exporting what was read gives the same bytes but savedAt', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionArb(),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
        async (session, chunkSizes) => {
          const file = await exportToBuffer(firstSave, session.source());
          if (!validate(JSON.parse(file.toString('utf8')))) throw new Error(ajv.errorsText(validate.errors));
          const { result, entries } = await readBack(file, {}, chunkSizes);
          if (!result.ok) throw new Error(`${result.error.message} (${result.error.detail ?? ''})`);
          expect(entries).toEqual(session.entries);
          expect(result.value).toEqual({
            version: 1,
            appVersion: '0.1.0',
            savedAt: '2026-12-01T09:30:00.000Z',
            sessionId: session.summary.sessionId,
            startedAt: session.summary.startedAt,
            entries: session.entries.length,
            bytes: session.summary.bytes,
            progress: session.summary.progress,
          });

          const again = await exportToBuffer(secondSave, memorySource(entries, summarize(entries)));
          expect(withoutSavedAt(again)).toBe(withoutSavedAt(file));
          expect(again.equals(file)).toBe(false); // only savedAt differs, and it does
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});
