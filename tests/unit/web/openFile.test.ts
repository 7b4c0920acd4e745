/** The private file the browser is started with (issue 12.4): only this user may read it, and it holds the link. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserCommand, openFileHtml, writeOpenFile } from '../../../src/main/web/openFile';

const url = 'http://127.0.0.1:8123/?token=abc_DEF-123';
const parents: string[] = [];
afterEach(() => parents.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the file that opens the lab', () => {
  it.skipIf(process.platform === 'win32')('is 0600 in a folder of its own that is 0700, and redirects', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-open-test-'));
    parents.push(parent);
    const opened = await writeOpenFile(url, parent);
    expect(statSync(opened.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(opened.file)).mode & 0o777).toBe(0o700);
    expect(path.dirname(path.dirname(opened.file))).toBe(parent);
    const html = readFileSync(opened.file, 'utf8');
    expect(html).toContain(`<meta http-equiv="refresh" content="0; url=${url}">`);
    expect(html).toContain(`<a href="${url}">`);
    await opened.remove();
    expect(existsSync(path.dirname(opened.file))).toBe(false);
  });

  it('escapes the link so it cannot break out of the attribute', () => {
    const html = openFileHtml('http://127.0.0.1:1/?token=a"><script>x</script>&b');
    expect(html).not.toContain('"><script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('&amp;b');
  });

  it('starts the browser with the file’s path, never the link or its token', () => {
    const file = '/tmp/socket-lab-x/open-socket-lab.html';
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const { program, args } = browserCommand(file, platform);
      expect(args.at(-1)).toBe(file);
      expect([program, ...args].join(' ')).not.toMatch(/token|http:/);
    }
    expect(browserCommand(file, 'linux')).toEqual({ program: 'xdg-open', args: [file] });
    expect(browserCommand(file, 'linux', '/usr/bin/firefox')).toEqual({ program: '/usr/bin/firefox', args: [file] });
  });
});
