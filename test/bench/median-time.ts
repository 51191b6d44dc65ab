/**
 * Milliseconds per call of `fn`. The box is shared: each figure is the median of several
 * short batches, so one slow batch (another job waking up) does not move it.
 */
export function medianTime(fn: () => void, minMs = 500, batches = 7): number {
  fn();
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs / batches) {
      fn();
      n++;
    }
    per.push((performance.now() - t0) / n);
  }
  return per.sort((x, y) => x - y)[batches >> 1]!;
}
