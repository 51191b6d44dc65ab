import { defineConfig } from 'vitest/config';

// Tests that need a real Postgres: run only through `npm run test:postgres`, which wraps
// vitest in scripts/with-postgres.sh (a throwaway cluster, its URL in MCPFW_PG_URL). The
// `.pg.ts` suffix keeps them out of the main config's `test/**/*.test.ts`.
export default defineConfig({
  test: {
    include: ['test/postgres/**/*.pg.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One cluster for the whole run; files share it, so run them one at a time.
    fileParallelism: false,
  },
});
