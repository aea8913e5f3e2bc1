/**
 * The project's ESLint rules (flat config), shared by every package through `pm-lint`.
 * Syntax-level rules only (no type-aware rules), so lint stays fast; `tsc` does the types.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Imports and globals the pure matching engine must not touch (DESIGN: no IO, no clock, no randomness). */
const ENGINE_PURITY = {
  files: ['packages/matching-engine/src/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ regex: '^(?!\\.{1,2}/)', message: 'The engine imports only its own files: no IO, no frameworks.' }],
    }],
    'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'performance', 'console', 'require'],
    'no-restricted-syntax': ['error',
      { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'No clock in the engine: time arrives on commands.' },
      { selector: "NewExpression[callee.name='Date']", message: 'No clock in the engine: time arrives on commands.' },
      { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'No randomness in the engine.' },
      { selector: "CallExpression[callee.name='parseFloat']", message: 'No floats in the engine.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '**/.turbo/**', '**/coverage/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts', '**/scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  ENGINE_PURITY,
);
