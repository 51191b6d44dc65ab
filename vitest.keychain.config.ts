import { defineConfig } from 'vitest/config';

// Tests that need the real OS keychain: run only through `npm run test:keychain`, which
// wraps vitest in scripts/with-keychain.sh. The `.keychain.ts` suffix keeps them out of
// the main config's `test/**/*.test.ts`, where no D-Bus session exists.
export default defineConfig({
  test: {
    include: ['test/keychain/**/*.keychain.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One keyring daemon for the whole run; files share it, so run them one at a time.
    fileParallelism: false,
  },
});
