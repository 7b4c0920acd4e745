import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the layer rule keeps electron out of core, shared, the web host and the renderer', () => {
  const importElectron = "import { app } from 'electron';\nexport const name = app.name;\n";

  for (const filePath of [
    'src/main/core/sneaky.ts',
    'src/shared/sneaky.ts',
    'src/main/web/sneaky.ts',
    'src/renderer/src/sneaky.ts',
  ]) {
    it(`refuses an electron import in ${filePath}`, async () => {
      const messages = await messagesFor(filePath, importElectron);
      expect(messages.some((message) => message.startsWith('no-restricted-imports'))).toBe(true);
    });
  }

  it('allows it in src/main/electron', async () => {
    expect(await messagesFor('src/main/electron/fine.ts', importElectron)).toEqual([]);
  });

  it('keeps the renderer’s lib free of features, and electron out of it still', async () => {
    const importFeature =
      "import { LabUiState } from '../features/session/labUi.svelte';\nexport const ui = LabUiState;\n";
    const messages = await messagesFor('src/renderer/src/lib/sneaky.ts', importFeature);
    expect(messages.some((message) => message.includes('imports no feature'))).toBe(true);
    expect(
      (await messagesFor('src/renderer/src/lib/sneaky.ts', importElectron)).some((message) =>
        message.startsWith('no-restricted-imports'),
      ),
    ).toBe(true);
    const fromAFeature = "import { LabUiState } from '../session/labUi.svelte';\nexport const ui = LabUiState;\n";
    expect(await messagesFor('src/renderer/src/features/byteLog/fine.ts', fromAFeature)).toEqual([]);
  });

  it('refuses handing ipcRenderer itself to the page in the preload', async () => {
    const code =
      "import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('ipc', ipcRenderer);\n";
    const messages = await messagesFor('src/preload/sneaky.ts', code);
    expect(messages.some((message) => message.startsWith('no-restricted-syntax'))).toBe(true);
  });
});

describe('the renderer opens and closes parts without <details>', () => {
  it('refuses <details> in a component, and names what to use instead', async () => {
    const messages = await messagesFor(
      'src/renderer/src/features/sneaky.svelte',
      '<details><summary>More</summary><p>Hidden</p></details>\n',
    );
    expect(messages.filter((message) => message.startsWith('svelte/no-restricted-html-elements'))).toHaveLength(2);
    expect(messages.join('\n')).toContain('Disclosure (lib/disclosure.svelte.ts)');
  });
});
