import { idKey, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';
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
 * Except `tasks/result` (MCP tasks, 2025-11-25): it is answered only once the task ends, so
 * it is the wait for the work of the tools/call that created the task, and gets that call's
 * limit, when this session saw the task created.
 */
export interface AnswerWait {
  /** A policed call under `id` is being sent, under this max_runtime_sec. */
  dispatched(id: JsonRpcId, maxRuntimeSec: number): void;
  /** The policy's defaults.max_runtime_sec changed. */
  setDefault(seconds: number): void;
  /** The silence bound of one POST carrying `requests`; its calls are forgotten (each is sent once). */
  idleMs(requests: JsonRpcMessage[]): number;
  /** An answer on its way to the client: one creating a task a call asked for ties that call's limit to the task. */
  answered(response: JsonRpcMessage): void;
}

/** Calls dispatched and not yet sent that are remembered; past it the oldest is forgotten. */
export const MAX_UNSENT_CALLS = 1024;
/**
 * Tasks (and calls sent as tasks, not yet answered) whose limit is remembered; past it the
 * oldest is forgotten, and its tasks/result waits the default (as before it was known).
 */
export const MAX_REMEMBERED_TASKS = 1024;

export function createAnswerWait(floorMs: number): AnswerWait {
  let defaultSec = DEFAULT_MAX_RUNTIME_SEC;
  // Two calls in flight under one id: the longer limit, for as long as either is unsent.
  // Bounded: a call the relay dispatched but never posted (the session ending between the
  // two) would otherwise stay; a forgotten one only waits the policy's default instead.
  const calls = new Map<string, { seconds: number; pending: number }>();
  // Calls that asked to run as a task, by id, until answered; then the task, by its id.
  const taskCalls = new Map<string, number>();
  const tasks = new Map<string, number>();

  const secondsOf = (request: JsonRpcMessage): number => {
    const key = idKey(request.id!);
    const call = calls.get(key);
    if (call) {
      if (--call.pending === 0) calls.delete(key);
      if (asksForTask(request)) remember(taskCalls, key, call.seconds);
      return call.seconds;
    }
    const taskId = request.method === 'tasks/result' ? (request.params as { taskId?: unknown } | undefined)?.taskId : undefined;
    return (typeof taskId === 'string' ? tasks.get(taskId) : undefined) ?? defaultSec;
  };

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
    idleMs(requests) {
      let seconds = 0;
      for (const request of requests) seconds = Math.max(seconds, secondsOf(request));
      return Math.max(floorMs, seconds * 1000);
    },
    answered(response) {
      if (taskCalls.size === 0) return;
      const key = idKey(response.id!);
      const seconds = taskCalls.get(key);
      if (seconds === undefined) return;
      taskCalls.delete(key);
      // A CreateTaskResult; an error or a plain result (the server ran it at once) names no task.
      const taskId = (response.result as { task?: { taskId?: unknown } } | undefined)?.task?.taskId;
      if (typeof taskId === 'string') remember(tasks, taskId, seconds);
    },
  };
}

/** A request augmented to run as a task (`params.task`, MCP 2025-11-25). */
function asksForTask(request: JsonRpcMessage): boolean {
  const task = (request.params as { task?: unknown } | undefined)?.task;
  return typeof task === 'object' && task !== null;
}

function remember(map: Map<string, number>, key: string, seconds: number): void {
  map.delete(key);
  if (map.size >= MAX_REMEMBERED_TASKS) map.delete(map.keys().next().value!);
  map.set(key, seconds);
}
