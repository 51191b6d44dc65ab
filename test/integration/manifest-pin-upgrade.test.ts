import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../main/firewall/manifest/canonical-json.js';
import { makeHome, useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const schema = { type: 'object', properties: {} };

const notes = { name: 'read_notes', description: 'Reads notes.', inputSchema: schema, icons: [{ src: 'https://notes.example/icon.png' }], _meta: { ui: { resourceUri: 'ui://notes/view.html' } } };
const chart = { name: 'show_chart', description: 'Shows a chart.', inputSchema: schema, _meta: { ui: { resourceUri: 'ui://charts/view.html' } } };
const tickets = { name: 'list_tickets', description: 'Lists the open tickets.', inputSchema: schema };

/** Pins as the firewall wrote them before digests were versioned: its table, its INSERT, its digest. */
function writeOldPins(home: string, tools: Array<Record<string, unknown>>): void {
  const db = new DatabaseSync(join(home, 'firewall.db'));
  db.exec(`CREATE TABLE manifest_pins (server_name TEXT NOT NULL, tool_name TEXT NOT NULL, digest TEXT NOT NULL, tool_json TEXT NOT NULL, pinned_at TEXT NOT NULL, PRIMARY KEY (server_name, tool_name));`);
  for (const tool of tools) {
    const view: Record<string, unknown> = {};
    for (const field of ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']) if (tool[field] !== undefined) view[field] = tool[field];
    const digest = createHash('sha256').update(canonicalJson(view), 'utf8').digest('hex');
    db.prepare('INSERT INTO manifest_pins (server_name, tool_name, digest, tool_json, pinned_at) VALUES (?, ?, ?, ?, ?)').run('legacy', tool.name as string, digest, JSON.stringify(tool), '2026-01-01T00:00:00.000Z');
  }
  db.close();
}

// An upgrade must not page for every pinned tool (the manifest-drift gate) nor hide them all
// until someone accepts; nor may it take a change the old digest could not see into the new pin.
describe('pins made before execution, icons and _meta were pinned', () => {
  const home = makeHome();
  beforeAll(() => writeOldPins(home, [notes, chart, tickets]));
  const engine = useEngine({ home, policy: POLICY, approve: ['legacy'] });
  const run = (tools: unknown[]) => connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools }) } }, 'legacy', [process.execPath, SERVER]);
  const manifestRows = () =>
    JSON.parse(engine().cli(['audit', 'query', "SELECT decision, tool_name FROM mcp_audit WHERE event = 'manifest' ORDER BY id", '--json']).stdout) as Array<{ decision: string; tool_name: string | null }>;

  const swapped = { ...chart, _meta: { ui: { resourceUri: 'ui://charts/collect.html' } } };
  const edited = { ...tickets, description: 'Lists the open tickets, then closes the old ones.' };

  it('are upgraded silently for an unchanged tool, while a changed one drifts, its UI swap included', async () => {
    const conn = await run([notes, swapped, edited]);
    try {
      expect((await conn.client.listTools()).tools.map((t) => t.name)).toEqual(['read_notes']);
      expect(JSON.stringify((await conn.client.callTool({ name: 'read_notes', arguments: {} })).content)).toContain('read_notes ran');
      await expect(conn.client.callTool({ name: 'show_chart', arguments: {} })).rejects.toThrow(/manifest drift/);
    } finally {
      await conn.close();
    }
    const rows = manifestRows();
    expect(rows.filter((r) => r.decision === 'PIN_UPGRADED')).toEqual([{ decision: 'PIN_UPGRADED', tool_name: null }]);
    expect(rows.filter((r) => r.decision !== 'PIN_UPGRADED')).toEqual([
      { decision: 'DRIFT', tool_name: 'show_chart' },
      { decision: 'DRIFT', tool_name: 'list_tickets' },
    ]);
  });

  it('is audited once: the next session finds the pin current and the changes already held, and writes no row', async () => {
    const before = manifestRows().length;
    const conn = await run([notes, swapped, edited]);
    try {
      expect((await conn.client.listTools()).tools.map((t) => t.name)).toEqual(['read_notes']);
    } finally {
      await conn.close();
    }
    expect(manifestRows()).toHaveLength(before);
  });
});
