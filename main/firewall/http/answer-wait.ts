import { idKey, type JsonRpcId } from '../jsonrpc/messages.js';
import { DEFAULT_MAX_RUNTIME_SEC } from '../policy/load.js';

/**
 * How long a POST's answer may stay silent, from the runtime the policy gives the requests
 * waiting on it. Many Streamable HTTP servers (the reference SDK's among them) send the
 * stream's headers at once and then nothing until a tool ends, when the client asked for no
 * progress; a stdio copy of the server runs such a tool to its max_runtime_sec. So silence
 * never cuts a request off before the policy's own limit would: the bound is the longest
 * max_runtime_sec among the stream's requests, never below `floorMs` (POST_STREAM_IDLE_MS).
 * A request the policy sets no limit for (anything but a tools/call) waits as long as a
 * tools/call no rule limits: defaults.max_runtime_sec, the policy's word on how long work runs.
 */
export interface AnswerWait {
  /** A policed call under `id` is being sent, under this max_runtime_sec. */
  dispatched(id: JsonRpcId, maxRuntimeSec: number): void;
  /** The policy's defaults.max_runtime_sec changed. */
  setDefault(seconds: number): void;
  /** The silence bound of one POST carrying `ids`; its calls are forgotten (each is sent once). */
  idleMs(ids: Iterable<JsonRpcId>): number;
}

/** Calls dispatched and not yet sent that are remembered; past it the oldest is forgotten. */
export const MAX_UNSENT_CALLS = 1024;

export function createAnswerWait(floorMs: number): AnswerWait {
  let defaultSec = DEFAULT_MAX_RUNTIME_SEC;
  // Two calls in flight under one id: the longer limit, for as long as either is unsent.
  // Bounded: a call the relay dispatched but never posted (the session ending between the
  // two) would otherwise stay; a forgotten one only waits the policy's default instead.
  const calls = new Map<string, { seconds: number; pending: number }>();
  return {
    dispatched(id, maxRuntimeSec) {
      const key = idKey(id);
      const entry = calls.get(key);
      if (entry) {
        entry.seconds = Math.max(entry.seconds, maxRuntimeSec);
        entry.pending++;
        return;
      }
      if (calls.size >= MAX_UNSENT_CALLS) calls.delete(calls.keys().next().value!);
      calls.set(key, { seconds: maxRuntimeSec, pending: 1 });
    },
    setDefault(seconds) {
      defaultSec = seconds;
    },
    idleMs(ids) {
      let seconds = 0;
      for (const id of ids) {
        const key = idKey(id);
        const entry = calls.get(key);
        if (entry && --entry.pending === 0) calls.delete(key);
        seconds = Math.max(seconds, entry ? entry.seconds : defaultSec);
      }
      return Math.max(floorMs, seconds * 1000);
    },
  };
}
