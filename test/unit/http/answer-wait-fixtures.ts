import type { ServerResponse } from 'node:http';

// What the answer-wait tests share: a JSON-only client's headers, a policy under which
// anything no rule limits runs 0.1 s while long_report runs up to 3 s, a server answer that
// keeps silent, and a session opened through the interposer.
export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

export const RUNTIME_POLICY = `version: v1
defaults:
  decision: ALLOW
  max_runtime_sec: 0.1
rules:
  - id: long-report
    match:
      labels:
        mcp.tool: long_report
    decision: ALLOW
    constraints:
      max_runtime_sec: 3
`;

/** Headers at once, then nothing for `silentMs` (the reference SDK's server running a tool for a client that asked for no progress), then the answer. */
export function answerAfterSilence(res: ServerResponse, id: string | number | undefined, silentMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
  const timer = setTimeout(() => res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'done' }] } })}\n\n`), silentMs);
  res.on('close', () => clearTimeout(timer));
}

/** initialize (with `initialize` as its body) and initialized through the interposer at `endpoint`: the session's headers. */
export async function openSession(endpoint: string, initialize: unknown): Promise<Record<string, string>> {
  const init = await fetch(endpoint, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(initialize) });
  await init.text();
  const session = { ...JSON_HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id')! };
  await (await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return session;
}
