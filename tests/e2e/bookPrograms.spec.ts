/**
 * The "Run the book's programs" panel: the recipe with this web host's real lab port, a copy button that copies the
 * very line shown, the route table, and the copied line actually running the book-style urllib1.py against the lab.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { axe } from './axe';
import { SCREENS } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1440, height: 900 } });

const ROOT = path.resolve(__dirname, '../..');

const LAB_HTTP_LINE = /Lab HTTP server \(stands in for data\.pr4e\.org\): 127\.0\.0\.1:(\d+)/;

/** The lab HTTP server's port, as the web host prints it (just after its link) at start. */
async function labHttpPort(output: () => string): Promise<number> {
  await expect.poll(output, { message: "the web host's line for the lab HTTP server" }).toMatch(LAB_HTTP_LINE);
  return Number(LAB_HTTP_LINE.exec(output())?.[1]);
}

/** A shell line the panel showed, then the book-style program, under the loopback guard. */
function runAfter(
  shellLine: string,
  program: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: path.join(ROOT, 'tests/python/guard'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'])
    delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${shellLine}; exec python3 "$0"`, path.join(ROOT, 'tests/python', program)], {
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test("the panel shows the recipe with the lab's real port, and a copied line runs urllib1.py against the lab", async ({
  page,
  context,
  webHost,
}) => {
  const port = await labHttpPort(webHost.output);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webHost.origin });
  await page.goto(webHost.url);

  const panel = page.getByTestId('book-programs');
  await panel.getByText("Run the book's programs").click();
  await expect(panel.getByTestId('book-programs-lab-url')).toHaveText(`http://127.0.0.1:${port}`);

  const socketStep = panel.locator('[data-step="socket"]');
  await expect(socketStep.getByRole('heading')).toHaveText('Socket programs: change the connect line');
  await expect(socketStep.getByTestId('book-programs-code')).toHaveText(`mysock.connect(('127.0.0.1', ${port}))`);
  const exportLine = `export http_proxy=http://127.0.0.1:${port} https_proxy=http://127.0.0.1:${port}`;
  await expect(panel.locator('[data-step="proxy-unix"]').getByTestId('book-programs-code')).toHaveText(exportLine);
  await expect(panel.locator('[data-step="proxy-powershell"]').getByTestId('book-programs-code')).toHaveText(
    `$env:http_proxy = "http://127.0.0.1:${port}"; $env:https_proxy = "http://127.0.0.1:${port}"`,
  );
  await expect(panel.locator('[data-step="exercise-1"]')).toContainText(
    `is '127.0.0.1:${port}', host and port together`,
  );

  // The route table: every host and port the lab stands in for, and who answers it.
  const routes = panel.getByTestId('book-programs-route');
  await expect(routes.locator('td:first-child')).toHaveText([
    'data.pr4e.org:80',
    'www.py4e.com:80',
    'www.dr-chuck.com:80',
    'data.pr4e.org:443',
    'www.py4e.com:443',
    'echo.lab.test:7',
    'mail.lab.test:25',
    'mail.lab.test:110',
  ]);
  await expect(routes.nth(2)).toContainText(`127.0.0.1:${port}`);

  await panel.getByRole('button', { name: /^Copy: urllib programs/ }).click();
  await expect(panel.getByTestId('book-programs-copy-status')).toContainText('Copied the line for');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(exportLine);
  await page.screenshot({ path: `${SCREENS}/book-programs.png` });

  // What the learner does next: paste the line into a terminal and run the book's program, unchanged.
  const result = await runAfter(copied, 'urllib1.py');
  expect(result.stderr).not.toContain('LOOPBACK GUARD');
  expect(result.code).toBe(0);
  expect(result.stdout.split('\n')[0]).toBe('But soft what light through yonder window breaks');

  const report = await (await axe(page)).include('[data-testid="book-programs"]').analyze();
  expect(
    report.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'),
  ).toEqual([]);
});

test('the panel is one closed line until opened, and opens from the keyboard', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  const panel = page.getByTestId('book-programs');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('book-programs-step').first()).toBeHidden();
  const toggle = panel.getByRole('button', { name: "Run the book's programs" });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(panel.getByTestId('book-programs-step')).toHaveCount(6);
  await expect(panel.getByTestId('book-programs-step').first()).toBeVisible();
});
