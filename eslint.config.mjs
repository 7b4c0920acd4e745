import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.mjs';

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message: "Only src/main/electron and src/preload may import 'electron' (DESIGN.md: core is plain Node).",
        },
      ],
      patterns: [{ group: ['electron/*'], message: "Only src/main/electron and src/preload may import 'electron'." }],
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'out-*/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.test-output/**',
      '.svelte-check/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,svelte}', 'src/renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // A closed <details> anywhere in the page makes Chromium's select-all in a long text box take time growing with
    // the square of its lines (8,000 lines: about 4 s frozen). lib/disclosure.svelte.ts opens and closes instead.
    files: ['src/renderer/**/*.svelte'],
    rules: {
      'svelte/no-restricted-html-elements': [
        'error',
        {
          elements: ['details', 'summary'],
          message:
            'Use Disclosure (lib/disclosure.svelte.ts): a closed <details> makes select-all in a long text box freeze Chromium.',
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { projectService: false, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'svelte/no-inner-declarations': 'off' },
  },
  // The layer rule: core, shared, the web host and the renderer never import 'electron'.
  { files: ['src/main/core/**', 'src/shared/**', 'src/main/web/**', 'src/renderer/**'], rules: noElectron },
  {
    // What several features use imports none of them, so a feature can move or go without breaking the others.
    files: ['src/renderer/src/lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noElectron['no-restricted-imports'][1],
          patterns: [
            ...noElectron['no-restricted-imports'][1].patterns,
            {
              group: ['**/features/**'],
              message: 'src/renderer/src/lib is for what several features use: it imports no feature.',
            },
          ],
        },
      ],
    },
  },
  // The preload exposes named functions only; handing out ipcRenderer would give the page every channel.
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='exposeInMainWorld'] > Identifier[name='ipcRenderer']",
          message: 'Never expose ipcRenderer itself; expose one named function per message.',
        },
      ],
    },
  },
);
