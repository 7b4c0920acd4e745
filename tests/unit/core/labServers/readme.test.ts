/** The README's "Run the book's programs offline" says what the lab-server CLI and the app's panel say. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLI_PORTS } from '../../../../src/main/core/labServers/cli';
import { bookRecipe } from '../../../../src/shared/bookRecipe';

const readme = readFileSync(path.resolve('README.md'), 'utf8');
const start = readme.indexOf("## Run the book's programs offline");
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
/** Every line inside the section's code blocks, without their indentation. */
const codeLines = [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((block) =>
  (block[1] as string).split('\n').map((line) => line.trim()),
);

describe("README: Run the book's programs offline", () => {
  it('gives each line of the recipe for npm run lab-server (127.0.0.1:8080) exactly, in a code block', () => {
    expect(start).toBeGreaterThan(0);
    expect(DEFAULT_CLI_PORTS.http).toBe(8080);
    for (const step of bookRecipe({ host: '127.0.0.1', port: 8080 }).steps) {
      for (const line of step.code.split('\n')) expect(codeLines, step.id).toContain(line);
    }
  });

  it('names programs that are there, and the commands a fresh clone needs', () => {
    for (const name of ['socket1.py', 'urljpeg.py', 'urllib1.py', 'curl2.py', 'spider.py']) {
      expect(section).toContain(name);
      expect(existsSync(path.resolve('tests/python', name)), name).toBe(true);
    }
    for (const command of ['npm install', 'npm run lab-server', 'cd socket-lab/tests/python', 'python3 urllib1.py']) {
      expect(codeLines).toContain(command);
    }
    expect(readFileSync(path.resolve('tests/python/socket1.py'), 'utf8')).toContain(
      "mysock.connect(('data.pr4e.org', 80))",
    );
  });
});
