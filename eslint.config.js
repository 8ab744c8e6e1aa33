// ESLint flat config: recommended JS + type-aware-free TypeScript rules, plus the
// architecture's dependency rule for src/algorithms (pure: no I/O, no clock).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'reports/*.html', 'coverage/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/algorithms/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http'],
              message: 'algorithms/ and sim/ are pure: no I/O.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'No wall clock in algorithms/ or sim/: use the virtual clock.',
        },
        { object: 'Math', property: 'random', message: 'Seeded RNGs only (src/core/rng.ts).' },
        { object: 'performance', property: 'now', message: 'No wall clock in algorithms/ or sim/.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'No wall clock in algorithms/ or sim/.',
        },
      ],
    },
  },
  {
    files: ['src/algorithms/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http'],
              message: 'algorithms/ is pure: no I/O.',
            },
            {
              group: ['**/data/*', '**/sim/*', '**/eval/*', '**/cli/*', '**/report/*'],
              message: 'algorithms/ imports only core/.',
            },
          ],
        },
      ],
    },
  },
);
