import { join } from 'node:path';
import type { RunningEngine } from './engine-harness.js';
import { waitFor } from './engine-harness.js';
import { FIXTURES } from './paths.js';
import { rawShim as rawShimOf, type RawShim } from './raw-shim.js';

// Reports every line it receives as a notification carrying the line's exact text.
export const WIRE = join(FIXTURES, 'servers', 'wire-server.mjs');
export const INIT = '{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

export type WireShim = RawShim & { received(): string[] };

/** The wire fixture behind the shim, spoken to in raw bytes; `received()`: what reached the server, byte for byte. */
export function wireShim(engine: RunningEngine): WireShim {
  const shim = rawShimOf(engine, 'wire', [process.execPath, WIRE]);
  const received = () =>
    shim.lines.filter((l) => l.includes('"logger":"wire"')).map((l) => (JSON.parse(l) as { params: { data: { received: string } } }).params.data.received);
  return { ...shim, received };
}

/** Runs `body` against a shim that has done the handshake and listed tools, and ends it after. */
export async function withReadyShim(engine: RunningEngine, body: (shim: WireShim) => Promise<void>): Promise<void> {
  const shim = wireShim(engine);
  try {
    await ready(shim);
    await body(shim);
  } finally {
    shim.child.stdin!.end();
  }
}

export async function ready(shim: WireShim): Promise<void> {
  shim.send(INIT);
  shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  shim.send('{"jsonrpc":"2.0","id":"list","method":"tools/list"}');
  await waitFor(() => shim.lines.some((l) => l.startsWith('{"jsonrpc":"2.0","id":"list","result"')), 'the tool list');
}
