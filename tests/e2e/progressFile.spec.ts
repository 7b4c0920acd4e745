/**
 * The progress file as the learner meets it (issue 12.6): one written by a newer version keeps its steps, and a
 * really corrupt one is set aside with words on screen saying where it went and that progress starts fresh.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLab } from './labPage';
import { expect, startWebHostProcess, test } from './webHost';

test.use({ viewport: { width: 1280, height: 800 } });

async function withProgressFile(text: string, run: (dataDir: string, url: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-progress-e2e-'));
  writeFileSync(path.join(dataDir, 'progress.json'), text);
  const host = await startWebHostProcess([], { dataDir });
  try {
    await run(dataDir, host.url);
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('a progress file from a newer version keeps the steps this version knows, with no alarm', async ({ page }) => {
  const newer = { completed: ['reliable-pipe', 'ports'], current: 'ports', predictions: {}, badges: ['fast'] };
  await withProgressFile(JSON.stringify(newer), async (dataDir, url) => {
    await openLab(page, url);
    await expect(page.getByTestId('guide-progress-count')).toHaveText('2 of 11 steps passed');
    await expect(page.getByTestId('guide-problem')).toHaveCount(0);
    expect(readdirSync(dataDir).filter((name) => name.includes('corrupt'))).toEqual([]);
  });
});

test('a corrupt progress file is set aside, and the guide says where it went and that progress starts fresh', async ({
  page,
}) => {
  await withProgressFile('{"completed": [tru', async (dataDir, url) => {
    await openLab(page, url);
    const aside = readdirSync(dataDir).find((name) => name.startsWith('progress.json.corrupt-'));
    expect(aside).toBeDefined();
    const problem = page.getByTestId('guide-problem');
    await expect(problem).toContainText('was damaged');
    await expect(problem).toContainText(path.join(dataDir, aside ?? ''));
    await expect(problem).toContainText('starts fresh');
    await expect(page.getByTestId('guide-progress-count')).toHaveText('0 of 11 steps passed');
  });
});
