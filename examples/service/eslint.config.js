// Lints the example service as the plain Node.js ESM it is (the root config ignores **/*.js).
import js from '@eslint/js';

const nodeGlobals = Object.fromEntries(
  ['process', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'console'].map((name) => [name, 'readonly']),
);

export default [
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
    rules: { eqeqeq: ['error', 'always'], 'no-console': 'error' },
  },
];
