// Lint catches Node bugs (floating promises) and keeps the pure core pure:
// core directories may not import I/O modules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'node:fs', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'child_process', 'node:child_process', 'dgram', 'node:dgram', 'os', 'node:os', 'fs/promises', 'node:fs/promises'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.berth/**', '.test-root/**', 'ui/**', 'eslint.config.mjs', 'vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Shells declare `let runtime` before the routes that read it and assign it once listening.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `let result: Resources = this` starts a fold; it is not an alias for callbacks.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // Plain JavaScript scripts are not part of the TypeScript project.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: false }, globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    // Validation of ids and names matches control characters on purpose.
    files: ['src/resources/**/*.ts', 'src/lib/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['src/*/core/**/*.ts', 'src/master/allocator/**/*.ts', 'src/resources/**/*.ts', 'src/protocol/**/*.ts', 'src/master/views/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'The pure core does no I/O: take it as an input.' })) }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is an input (nowMs).' },
        { object: 'Math', property: 'random', message: 'Randomness is an input (Random).' },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Timers belong to the shell.' }, { name: 'setInterval', message: 'Timers belong to the shell.' }],
    },
  },
);
