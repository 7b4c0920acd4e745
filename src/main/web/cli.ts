/** `npm run web`: the lab in a browser, served from 127.0.0.1 with a per-run token. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { version } from '../../../package.json';
import { ArgsError, helpText, parseArgs, parseListenPort } from '../core/args';
import { startLabApp } from '../core/labApp';
import { keepRunningWhenOutputCloses } from '../core/labServers/outputPipes';
import { defaultDataDir } from '../core/paths';
import { browserCommand, writeOpenFile, type OpenFile } from './openFile';
import { startWebHost } from './server';

const OPTIONS = {
  port: { kind: 'value', help: 'port for the web host (default: a free one)' },
  'no-open': { kind: 'flag', help: 'print the link but do not open a browser' },
  browser: { kind: 'value', help: 'program that opens the lab (default: xdg-open, open or start)' },
  'data-dir': { kind: 'value', help: 'folder for lab progress (default: the desktop app’s folder)' },
  help: { kind: 'flag', help: 'show this help' },
} as const;

/** Starts the browser on the private redirect file: its path is all `ps` shows, never the token. */
function openInBrowser(file: string, browser: string | undefined): void {
  const { program, args } = browserCommand(file, process.platform, browser);
  const child = spawn(program, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('(Could not open a browser by itself: copy the link above into one.)'));
  child.unref();
}

async function main(): Promise<void> {
  // A closed stdout (`npm run web | head`, a closed IDE panel) must not end the host at its next log line.
  keepRunningWhenOutputCloses();
  let args;
  try {
    args = parseArgs(process.argv.slice(2), OPTIONS);
  } catch (error) {
    if (error instanceof ArgsError) {
      console.error(`socket-lab web: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (args.help) {
    console.log(helpText('Usage: npm run web -- [options]', OPTIONS));
    return;
  }
  let port = 0;
  try {
    if (args.port !== undefined) port = parseListenPort(args.port, '--port');
  } catch (error) {
    console.error(`socket-lab web: ${(error as Error).message}`);
    process.exit(2);
  }
  let app;
  try {
    app = await startLabApp({
      appVersion: version,
      runtime: { node: process.versions.node },
      dataDir: args['data-dir'] ?? defaultDataDir(),
    });
  } catch (error) {
    // The lab servers could not start (a port taken, the lab's files missing): say which, in one line.
    console.error(`socket-lab web: the lab servers could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  let host;
  try {
    host = await startWebHost({
      app,
      port,
      rendererDir: path.join(__dirname, '../renderer'),
      log: (line) => console.log(`  ${line}`),
    });
  } catch (error) {
    await app.stop();
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `socket-lab web: port ${port} is already in use; pick another with --port, or leave it out for a free one.`
        : `socket-lab web: could not start: ${(error as Error).message}`,
    );
    process.exit(1);
  }
  console.log(`Socket Lab is running in your browser at:\n\n  ${host.url}\n`);
  console.log('The link carries a secret token; only this computer can use it. Press Ctrl+C to stop.');
  for (const server of app.labServers.info()) {
    console.log(`  ${server.name}: ${server.host}:${server.port}`);
  }
  let opener: OpenFile | undefined;
  if (!args['no-open']) {
    try {
      opener = await writeOpenFile(host.url);
      console.log(`Opening it in your browser through a file only you can read: ${opener.file}`);
      openInBrowser(opener.file, args.browser);
    } catch (error) {
      console.log(`(Could not open a browser by itself: ${(error as Error).message}; copy the link above into one.)`);
    }
  }

  const stop = async () => {
    await opener?.remove().catch(() => undefined);
    await host.close();
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

void main();
