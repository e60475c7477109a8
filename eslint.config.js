// Lint, including the layer rules of STYLE.md: src-shared imports neither Node nor Electron nor
// other layers; src-main/core never imports electron; the renderer imports only src-shared.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Use explicit named exports, never export *.' }],
    },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, 'electron'].map((name) => ({ name, message: 'src-shared runs on both sides: no Node or Electron imports.' })),
        patterns: [{ group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared imports no other layer.' }],
      }],
    },
  },
  {
    files: ['src-main/core/**', 'src-main/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The core runs under plain Node: electron is only for src-main/electron.' }],
        patterns: [{ group: ['**/src-main/electron/**', '**/src-renderer/**', '../electron/**'], message: 'The core and CLI never import the shell or the renderer.' }],
      }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Bench scripts run partly inside the page (playwright evaluate).
    files: ['bench/**', 'src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, 'electron'].map((name) => ({ name, message: 'The renderer has no Node: use the preload bridge.' })),
        patterns: [{ group: ['**/src-main/**'], message: 'The renderer imports only src-shared and the preload bridge.' }],
      }],
    },
  },
);
