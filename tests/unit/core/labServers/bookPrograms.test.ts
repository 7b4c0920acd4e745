/**
 * The chapter's programs (tests/python/, written in the book's style) run against the lab HTTP server exactly as the
 * recipe says a learner should run them (src/shared/bookRecipe.ts, the README, the app's panel, the CLI):
 * - socket programs with their connect line changed to the recipe's line;
 * - urllib programs unchanged, started from a shell that ran the recipe's `export http_proxy=... https_proxy=...`;
 *   or with the URL changed to the lab's own address, where the lab points the links of its pages back at itself;
 * - exercises 1, 2 and 5 (socket programs that ask for a URL) also with the lab's URL typed in and the recipe's
 *   port-splitting line.
 * Every program runs with tests/python/guard on PYTHONPATH: any attempt to reach an address outside 127.0.0.0/8 and
 * ::1 ends it with exit code 86, which fails the test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookRecipe, type BookRecipe } from '../../../../src/shared/bookRecipe';
import { CONTENT_DIR, exchange, PYTHON_LOOPBACK_GUARD, startTestLab, type TestLab } from './helpers';

const PROGRAMS = path.resolve('tests/python');
const GUARD = PYTHON_LOOPBACK_GUARD;
const GUARD_EXIT = 86;
const content = (name: string): Buffer => readFileSync(path.join(CONTENT_DIR, name));
const ROMEO = content('romeo.txt').toString('latin1');
const ROMEO_FULL = content('romeo-full.txt').toString('latin1');

let lab: TestLab;
let recipe: BookRecipe;
let labUrl: string;
let scratch: string;

beforeAll(async () => {
  lab = await startTestLab();
  recipe = bookRecipe({ host: lab.host, port: lab.port('http') });
  labUrl = recipe.labUrl;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'book-programs-'));
});

afterAll(async () => {
  await lab.servers.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const step = (id: string): string => {
  const found = recipe.steps.find((entry) => entry.id === id);
  if (!found) throw new Error(`no recipe step ${id}`);
  return found.code;
};

type Way = 'connect-line' | 'proxy' | 'lab-url' | 'idle' | 'port-split' | 'unchanged';

interface Ran {
  stdout: string;
  stderr: string;
  dir: string;
}

/** The program as the learner has it after following the recipe one way: each change is one named line. */
function programFor(name: string, way: Way): string {
  const original = readFileSync(path.join(PROGRAMS, name), 'utf8');
  const replaceLine = (text: string, pattern: RegExp, line: string): string => {
    const lines = text.split('\n');
    const at = lines.filter((candidate) => pattern.test(candidate));
    expect(at, `${name}: exactly one line matches ${pattern}`).toHaveLength(1);
    return lines
      .map((candidate) => (pattern.test(candidate) ? `${/^\s*/.exec(candidate)?.[0] ?? ''}${line}` : candidate))
      .join('\n');
  };
  switch (way) {
    case 'connect-line':
      return replaceLine(original, /^\s*mysock\.connect\(/, step('socket'));
    case 'port-split': {
      const [split, connect] = step('exercise-1').split('\n') as [string, string];
      return replaceLine(replaceLine(original, /host = url\.split\('\/'\)\[2\]/, split), /mysock\.connect\(/, connect);
    }
    case 'lab-url':
      return original.replace(/http:\/\/(data\.pr4e\.org|www\.py4e\.com|www\.dr-chuck\.com)\//g, `${labUrl}/`);
    case 'idle':
      return `${step('proxy-idle')}\n${original}`;
    case 'proxy':
    case 'unchanged':
      return original;
  }
}

/** Runs a program in a scratch folder of its own, feeding `input` to its input() calls. */
function runProgram(name: string, way: Way, input: string[] = []): Promise<Ran & { code: number | null }> {
  const dir = mkdtempSync(path.join(scratch, `${path.basename(name, '.py')}-${way}-`));
  writeFileSync(path.join(dir, name), programFor(name, way));
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: GUARD, PYTHONDONTWRITEBYTECODE: '1' };
  for (const variable of ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']) {
    delete env[variable];
    delete env[variable.toUpperCase()];
  }
  // The proxy way runs the recipe's own shell line first, as a learner types it before python3.
  const command =
    way === 'proxy'
      ? { file: 'sh', args: ['-c', `${step('proxy-unix')}; exec python3 "$0"`, name] }
      : { file: 'python3', args: [name] };
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} (${way}) took longer than 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, dir });
    });
    child.stdin.end(input.map((line) => `${line}\n`).join(''));
  });
}

/** Runs a program that must work: exit 0, and never stopped by the loopback guard. */
async function run(name: string, way: Way, input: string[] = []): Promise<Ran> {
  const result = await runProgram(name, way, input);
  expect(result.stderr, `${name} (${way}) tried to leave loopback`).not.toContain('LOOPBACK GUARD');
  expect(result.code, `${name} (${way}) failed: ${result.stderr}`).toBe(0);
  return result;
}

/** The head urljpeg.py and the exercises see: the lab's headers for a file, asked for as the book asks. */
async function headLength(file: string): Promise<number> {
  const reply = await exchange(lab.port('http'), `GET http://data.pr4e.org/${file} HTTP/1.0\r\n\r\n`);
  return reply.indexOf('\r\n\r\n');
}

describe('the loopback guard', () => {
  it('ends a program that reaches past loopback, even one that catches every error', async () => {
    const probes = [
      "import socket\nsocket.create_connection(('192.0.2.1', 80))",
      "import socket\ns = socket.socket()\ntry:\n    s.connect(('192.0.2.1', 9))\nexcept Exception:\n    pass\nprint('carried on')",
      "import urllib.request\nurllib.request.urlopen('http://192.0.2.1/romeo.txt')",
      "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('192.0.2.1', 53))",
    ];
    for (const [index, probe] of probes.entries()) {
      const name = `probe${index}.py`;
      const dir = mkdtempSync(path.join(scratch, 'probe-'));
      writeFileSync(path.join(dir, name), probe);
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('python3', [name], {
          cwd: dir,
          env: { ...process.env, PYTHONPATH: GUARD, PYTHONDONTWRITEBYTECODE: '1' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.code, probe).toBe(GUARD_EXIT);
      expect(result.stderr).toContain('LOOPBACK GUARD: blocked');
      expect(result.stdout).not.toContain('carried on');
    }
  });

  it("stops the book's socket1.py run without the recipe's change, before any name is looked up", async () => {
    const result = await runProgram('socket1.py', 'unchanged');
    expect(result.code).toBe(GUARD_EXIT);
    expect(result.stderr).toContain('LOOPBACK GUARD: blocked connecting to data.pr4e.org port 80');
  });
});

describe('socket programs, connect line changed', () => {
  it('socket1.py prints the headers and the four lines of romeo.txt', async () => {
    const { stdout } = await run('socket1.py', 'connect-line');
    expect(stdout.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(stdout).toContain('\r\nContent-Length: 167\r\n');
    expect(stdout.endsWith(`\r\n\r\n${ROMEO}`)).toBe(true);
  });

  it("urljpeg.py prints the book's header length, 393, and saves the 230,210-byte picture", async () => {
    const { stdout, dir } = await run('urljpeg.py', 'connect-line');
    const lines = stdout.split('\n');
    expect(lines).toContain('Header length 393');
    const counts = lines.filter((line) => /^\d+ \d+$/.test(line)).map((line) => line.split(' ').map(Number));
    expect(counts.at(-1)?.[1]).toBe(393 + 4 + 230_210);
    expect(counts.every(([size]) => (size as number) <= 5120)).toBe(true);
    expect(readFileSync(path.join(dir, 'stuff.jpg')).equals(content('cover3.jpg'))).toBe(true);
  });
});

describe('urllib programs, unchanged with http_proxy set, and with the URL changed', () => {
  for (const way of ['proxy', 'lab-url', 'idle'] as const) {
    it(`urllib1.py prints only the body (${way})`, async () => {
      const { stdout } = await run('urllib1.py', way);
      expect(stdout).toBe(
        ROMEO.split('\n')
          .map((line) => line.trim())
          .join('\n'),
      );
    });
  }

  for (const way of ['proxy', 'lab-url'] as const) {
    it(`urlwords.py counts the words (${way})`, async () => {
      const counts = new Map<string, number>();
      for (const word of ROMEO.split(/\s+/).filter(Boolean)) counts.set(word, (counts.get(word) ?? 0) + 1);
      const expected = `{${[...counts].map(([word, count]) => `'${word}': ${count}`).join(', ')}}\n`;
      expect((await run('urlwords.py', way)).stdout).toBe(expected);
    });

    it(`curl2.py prints "230210 characters copied." (${way})`, async () => {
      const { stdout, dir } = await run('curl2.py', way);
      expect(stdout).toBe('230210 characters copied.\n');
      expect(readFileSync(path.join(dir, 'cover3.jpg')).equals(content('cover3.jpg'))).toBe(true);
    });

    it(`exercise3.py shows 3000 characters of romeo-full.txt and counts them all (${way})`, async () => {
      const url = way === 'proxy' ? 'http://data.pr4e.org/romeo-full.txt' : `${labUrl}/romeo-full.txt`;
      const { stdout } = await run('exercise3.py', way === 'proxy' ? 'proxy' : 'unchanged', [url]);
      expect(stdout.startsWith(`Enter a URL: ${ROMEO_FULL.slice(0, 3000)}\n`)).toBe(true);
      expect(stdout.endsWith(`Characters in the document: ${ROMEO_FULL.length}\n`)).toBe(true);
      expect(ROMEO_FULL.length).toBeGreaterThan(3000);
    });

    it(`exercise4.py counts the <p> tags of links.htm (${way})`, async () => {
      const url = way === 'proxy' ? 'http://data.pr4e.org/links.htm' : `${labUrl}/links.htm`;
      const { stdout } = await run('exercise4.py', way === 'proxy' ? 'proxy' : 'unchanged', [url]);
      expect(stdout).toBe('Enter - Paragraphs: 10\n');
    });
  }

  it('curl3.py saves http://www.py4e.com/cover.jpg as cover.jpg (proxy)', async () => {
    const { stdout, dir } = await run('curl3.py', 'proxy');
    expect(stdout).toBe('230210 characters copied to cover.jpg\n');
    expect(readFileSync(path.join(dir, 'cover.jpg')).equals(content('cover3.jpg'))).toBe(true);
  });

  it("urllinks.py lists links.htm's links with html.parser, as the page has them (proxy)", async () => {
    const { stdout } = await run('urllinks.py', 'proxy', ['http://data.pr4e.org/links.htm']);
    const expected = [
      ...content('links.htm')
        .toString('latin1')
        .matchAll(/<a href="([^"]*)"/g),
    ].map((m) => m[1]);
    expect(stdout).toBe(`Enter - ${expected.join('\n')}\n`);
    expect(expected.length).toBeGreaterThanOrEqual(12);
  });

  it("urllinks.py at the lab's own address: every absolute link points back at the lab", async () => {
    const { stdout } = await run('urllinks.py', 'unchanged', [`${labUrl}/links.htm`]);
    const links = stdout
      .replace(/^Enter - /, '')
      .trim()
      .split('\n');
    const absolute = links.filter((link) => /^https?:/.test(link));
    expect(absolute.length).toBeGreaterThanOrEqual(6);
    for (const link of absolute) expect(link.startsWith(`${labUrl}/`), link).toBe(true);
  });

  it('urlregex.py finds the absolute links, https too (proxy)', async () => {
    const { stdout } = await run('urlregex.py', 'proxy', ['http://data.pr4e.org/links.htm']);
    const links = stdout
      .replace(/^Enter - /, '')
      .trim()
      .split('\n');
    expect(links).toContain('http://www.dr-chuck.com/page1.htm');
    expect(links).toContain('https://www.py4e.com/lessons');
    expect(links.every((link) => /^https?:\/\//.test(link))).toBe(true);
  });

  it("urllink2.py reads www.dr-chuck.com's page1.htm and its anchor (proxy)", async () => {
    const { stdout } = await run('urllink2.py', 'proxy', ['http://www.dr-chuck.com/page1.htm']);
    expect(stdout).toContain('TAG: <a>\nURL: http://data.pr4e.org/page2.htm\nContents: page two\n');
  });
});

describe('a spider stays in the lab', () => {
  const retrieved = (stdout: string): string[] =>
    // The first follows the input() prompts on their line.
    [...stdout.matchAll(/Retrieving (\S+)$/gm)].map((match) => match[1] as string);

  it('through http_proxy and https_proxy: every page from the lab, https links stopped at the lab', async () => {
    const { stdout } = await run('spider.py', 'proxy', ['http://data.pr4e.org/', '40']);
    const urls = retrieved(stdout);
    expect(urls).toContain('http://data.pr4e.org/page2.htm');
    expect(urls).toContain('http://www.dr-chuck.com/page1.htm');
    expect(urls).toContain('http://www.py4e.com/code3/');
    for (const url of urls) {
      expect(url, url).toMatch(/^https?:\/\/(data\.pr4e\.org|www\.py4e\.com|www\.dr-chuck\.com)\//);
    }
    // https:// links went to the lab too (as CONNECT), and came back with its words instead of leaving.
    expect(urls.some((url) => url.startsWith('https://'))).toBe(true);
    expect(stdout).toContain('Tunnel connection failed: 501 HTTPS Not Served Offline (use http://)');
  });

  it("started at the lab's own address, page1.htm's link leads to the lab's page2.htm", async () => {
    const { stdout } = await run('spider.py', 'unchanged', [`${labUrl}/page1.htm`, '5']);
    expect(retrieved(stdout)).toEqual([`${labUrl}/page1.htm`, `${labUrl}/page2.htm`]);
  });

  it("started at the lab's own address, it never leaves it, whatever the page links to", async () => {
    const { stdout } = await run('spider.py', 'unchanged', [`${labUrl}/`, '40']);
    const urls = retrieved(stdout);
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) expect(url.startsWith(`${labUrl}/`), url).toBe(true);
  });
});

describe('the exercises, both ways', () => {
  it('exercise 1, connect line changed: the book URL typed, the reply printed', async () => {
    const { stdout } = await run('exercise1.py', 'connect-line', ['http://data.pr4e.org/romeo.txt']);
    expect(stdout).toContain('HTTP/1.1 200 OK');
    expect(stdout.endsWith(ROMEO)).toBe(true);
  });

  it("exercise 1 with the lab's URL typed: split('/')[2] is host:port, as the recipe warns, until its line is used", async () => {
    const url = `${labUrl}/romeo.txt`;
    const broken = await run('exercise1.py', 'unchanged', [url]);
    expect(broken.stdout).toContain(`Could not connect to ${url} - [Errno -2] Name or service not known`);
    const fixed = await run('exercise1.py', 'port-split', [url]);
    expect(fixed.stdout.endsWith(ROMEO)).toBe(true);
  });

  it('exercise 1 handles what is not a URL', async () => {
    const { stdout } = await run('exercise1.py', 'connect-line', ['romeo.txt']);
    expect(stdout).toContain('That is not a URL like http://data.pr4e.org/romeo.txt');
  });

  for (const way of ['connect-line', 'port-split'] as const) {
    const url = (): string =>
      way === 'connect-line' ? 'http://data.pr4e.org/romeo-full.txt' : `${labUrl}/romeo-full.txt`;

    it(`exercise 2 shows 3000 characters and reports the total (${way})`, async () => {
      const { stdout } = await run('exercise2.py', way, [url()]);
      const total = (await headLength('romeo-full.txt')) + 4 + ROMEO_FULL.length;
      const shown = stdout.slice('Enter a URL: '.length, stdout.lastIndexOf('\nCharacters received:'));
      expect(shown.length).toBe(3000);
      expect(shown.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      expect(stdout.endsWith(`\nCharacters received: ${total}\n`)).toBe(true);
    });

    it(`exercise 5 shows only what follows the headers and the blank line (${way})`, async () => {
      const target = way === 'connect-line' ? 'http://data.pr4e.org/romeo.txt' : `${labUrl}/romeo.txt`;
      const { stdout } = await run('exercise5.py', way, [target]);
      expect(stdout).toBe(`Enter a URL: ${ROMEO}`);
    });
  }
});
