// Accepts what users actually save: a bare tools/list result ({ tools: [...] }), a full
// JSON-RPC response ({ jsonrpc, id, result: { tools } }), or a bare array of tools.

export type ParsedToolsList = { ok: true; tools: unknown[]; instructions?: string } | { ok: false; error: string };

export function parseToolsList(text: string): ParsedToolsList {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
  if (Array.isArray(doc)) return checkTools(doc);
  if (doc === null || typeof doc !== 'object') return { ok: false, error: 'expected a JSON object with a "tools" array' };
  const record = doc as Record<string, unknown>;
  if (record.error !== undefined && record.result === undefined) {
    return { ok: false, error: 'the file is a JSON-RPC error response, not a tools/list result' };
  }
  const body = record.result !== null && typeof record.result === 'object' ? (record.result as Record<string, unknown>) : record;
  if (!Array.isArray(body.tools)) return { ok: false, error: 'no "tools" array (nor "result.tools") in the file' };
  const parsed = checkTools(body.tools);
  if (parsed.ok && typeof body.instructions === 'string') parsed.instructions = body.instructions;
  if (parsed.ok && typeof record.instructions === 'string') parsed.instructions = record.instructions;
  return parsed;
}

function checkTools(tools: unknown[]): ParsedToolsList {
  const bad = tools.findIndex((t) => t === null || typeof t !== 'object' || typeof (t as { name?: unknown }).name !== 'string');
  if (bad >= 0) return { ok: false, error: `tools[${bad}] is not a tool object with a string "name"` };
  return { ok: true, tools };
}
