// A clock that only goes forward, in ms from an arbitrary start. performance.now() is one too,
// but the first read of the global `performance` loads Node's perf_hooks layer (11 modules,
// ~100 KB of heap in every shim, which reads the clock for its own looks at the tools);
// process.hrtime is part of every node process already. (A pause, rare, still reads
// performance.now: its tests fake that clock.)
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
