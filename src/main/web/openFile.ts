/**
 * Opening the lab in a browser without the token on anyone's screen (issue 12.4): the browser is started with the
 * path of a small private HTML file that redirects to the tokened link, as Jupyter does, so `ps` on a shared
 * computer shows a path, never the token. The file is readable by this user only (0600, in a folder of 0700).
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const OPEN_FILE_NAME = 'open-socket-lab.html';

export interface OpenFile {
  /** The file's path: what the browser is given. */
  file: string;
  /** Removes the file and its folder (when the web host stops). */
  remove(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The file's text: a redirect to `url` at once, and a link for a browser that does not follow it. */
export function openFileHtml(url: string): string {
  const href = escapeHtml(url);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0; url=${href}">`,
    '<title>Opening Socket Lab</title>',
    `<p>Opening Socket Lab… If nothing happens, <a href="${href}">open the lab</a>.</p>`,
    '</html>',
    '',
  ].join('\n');
}

/** Writes the private redirect file in a new folder of its own under `parent` (default: the system's temp folder). */
export async function writeOpenFile(url: string, parent: string = os.tmpdir()): Promise<OpenFile> {
  // mkdtemp makes the folder 0700: no other account may list it, let alone read the file.
  const folder = await mkdtemp(path.join(parent, 'socket-lab-'));
  const file = path.join(folder, OPEN_FILE_NAME);
  // 'wx' with mode 0600: a new file only this user may read, never one someone placed there first.
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(openFileHtml(url), 'utf8');
  } finally {
    await handle.close();
  }
  return { file, remove: () => rm(folder, { recursive: true, force: true }) };
}

/** The program and arguments that open `file` in the learner's browser; `browser` overrides the system's opener. */
export function browserCommand(
  file: string,
  platform: NodeJS.Platform = process.platform,
  browser?: string,
): { program: string; args: string[] } {
  if (browser !== undefined) return { program: browser, args: [file] };
  if (platform === 'win32') return { program: 'cmd', args: ['/c', 'start', '""', file] };
  return { program: platform === 'darwin' ? 'open' : 'xdg-open', args: [file] };
}
