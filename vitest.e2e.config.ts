import { defineConfig } from 'vitest/config';

// The dashboard in headless Chromium against a real `serve`: slow, and one browser at a
// time is all two cores can take. Kept out of the main run (test/**/*.test.ts).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
