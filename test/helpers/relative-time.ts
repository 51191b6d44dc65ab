// Complexity guards that hold on any machine, however slow or busy. A bound in milliseconds
// ("16 MB in under 2 s") fails on a loaded two-core CI box while the code is fine (it did:
// 2137 ms against 2000), and passes on a fast one while it is not. These compare two timings
// taken in the same test, on the same machine: the input the code once choked on against a
// baseline run alongside it (the same shape 8 times smaller, text of the same size that the
// guarded rule never wakes for, the same work placed where the old code was cheap).
//
// Time is CPU time, not wall-clock time: another process taking the core stops the clock, so
// a short baseline that slips between other work is not compared with a long run that cannot.
// On a two-core box at load 7-10, eightfold growth of linear code measured 7.5-8.8 in CPU time
// and 3.4-41 in wall-clock time over the same runs. process.cpuUsage() counts the whole
// process: right for vitest's default pool (forks, one test file per process), not for
// `pool: 'threads'`.

/**
 * Milliseconds of CPU `work()` took. Where an absolute bound is kept (the old code was orders
 * of magnitude slower), CPU time keeps it from failing on a busy machine.
 */
export function cpuMilliseconds(work: () => unknown): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * How many times longer `work` takes on `input()` than on `baseline()`. Each is run `rounds`
 * times, taking turns, and the least time of each is compared: a GC pause or a cold JIT only
 * ever adds time, so the least is the nearest to what the code itself costs. Inputs are made
 * afresh for every run, outside the timing, so nothing learnt from one text is reused.
 */
export function timesSlower<T>(work: (input: T) => unknown, input: () => T, baseline: () => T, rounds = 5): number {
  let least = Infinity;
  let leastBaseline = Infinity;
  for (let i = 0; i < rounds; i++) {
    const base = baseline();
    leastBaseline = Math.min(leastBaseline, cpuMilliseconds(() => work(base)));
    const made = input();
    least = Math.min(least, cpuMilliseconds(() => work(made)));
  }
  return least / leastBaseline;
}

/**
 * How many times longer `work` takes on `make(8 * n)` than on `make(n)`: about 8 for linear
 * code, 64 for quadratic. Keep `make(n)` at a millisecond or more, so fixed costs do not hide
 * the growth, and small enough that quadratic code gets through its runs in seconds: vitest
 * cannot stop synchronous code at its time limit, so the test fails on the ratio only then.
 */
export function eightfoldGrowth<T>(work: (input: T) => unknown, make: (n: number) => T, n: number): number {
  return timesSlower(work, () => make(8 * n), () => make(n));
}

/**
 * The most `eightfoldGrowth` may be for code that is linear: three times proportional. On a
 * two-core box at load 7-10 the detectors, parser and matcher guarded with it gave 4.0-10.2,
 * the quadratic code each guard replaced 58-70.
 */
export const LINEAR_EIGHTFOLD = 24;
