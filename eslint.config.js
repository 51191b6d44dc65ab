import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['main/**/*.ts'],
    rules: {
      // stdout is the JSON-RPC channel of the shim: a stray console.log corrupts the protocol.
      'no-console': 'error',
    },
  },
  {
    files: ['main/firewall/**/*.ts'],
    rules: {
      // The engine runs headless under plain Node; Electron stays in main/desktop.
      'no-restricted-imports': ['error', { paths: ['electron'] }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
