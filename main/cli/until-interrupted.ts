import { constants } from 'node:os';

// SIGHUP: the terminal the command runs in was closed. (Windows has no such signal to send.)
const STOP_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `work` with Ctrl-C, SIGTERM and a closed terminal turned into an abort of `stop`, so
 * it can clean up (a half-written temporary file) instead of dying where it stands; a second
 * signal only aborts again. Then the process ends of that same signal, as it would have
 * without us, so a shell or supervisor sees 130/143.
 */
export async function untilInterrupted<T>(work: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((signal) => [signal, () => controller.abort(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await work(controller.signal);
  } finally {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    const signal = controller.signal.aborted ? (controller.signal.reason as NodeJS.Signals) : null;
    if (signal !== null) {
      process.kill(process.pid, signal);
      // Only reached when the signal did not end us (it is ignored here): exit as the shell would report it.
      process.exit(128 + constants.signals[signal]);
    }
  }
}
