import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { removeHome, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const RUG_PULL = join(FIXTURES, 'servers', 'rug-pull-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';

describe('manifest pins catch a rug pull', () => {
  let engine: RunningEngine;
  const run = (variant: string) => connectThroughShim({ env: { ...engine.env, RUG_PULL_VARIANT: variant } }, 'tickets', [process.execPath, RUG_PULL]);
  const manifestRows = () =>
    JSON.parse(engine.cli(['audit', 'query', "SELECT decision, tool_name FROM mcp_audit WHERE event = 'manifest' ORDER BY id", '--json']).stdout) as Array<{ decision: string; tool_name: string | null }>;

  beforeAll(async () => {
    engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'tickets']);
  });
  afterAll(async () => {
    await engine.stop();
    removeHome(engine.home);
  });

  it('pins every tool on first sight', async () => {
    const first = await run('1');
    try {
      expect((await first.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
    } finally {
      await first.close();
    }
    expect(manifestRows()).toEqual([{ decision: 'PINNED', tool_name: null }]);
  });

  it('hides and denies the drifted tool, keeps the others, shows the diff, and restores it on accept', async () => {
    const second = await run('2');
    try {
      const changed: unknown[] = [];
      second.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed.push(1));
      expect((await second.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket']);
      const read = await second.client.callTool({ name: 'read_ticket', arguments: { id: '7' } });
      expect(JSON.stringify(read.content)).toContain('read_ticket ran');
      await expect(second.client.callTool({ name: 'list_tickets', arguments: {} })).rejects.toThrow(/manifest drift/);
      expect(manifestRows().at(-1)).toEqual({ decision: 'DRIFT', tool_name: 'list_tickets' });

      const diff = engine.cli(['pins', 'diff', 'tickets']);
      expect(diff.stdout).toContain('list_tickets (drifted)');
      expect(diff.stdout).toMatch(/\+.*closes every ticket older than a week/);

      expect(engine.cli(['pins', 'accept', 'tickets']).stdout).toContain('accepted and pinned list_tickets');
      await waitFor(() => changed.length > 0, 'tools/list_changed after accept');
      expect((await second.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
      expect(JSON.stringify((await second.client.callTool({ name: 'list_tickets', arguments: {} })).content)).toContain('variant 2');
    } finally {
      await second.close();
    }
  });

  it('records drift inside a deploy window instead of blocking it', async () => {
    expect(engine.cli(['pins', 'window', 'open', 'CHG-1234', '--minutes', '5']).code).toBe(0);
    const third = await run('3');
    try {
      expect((await third.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
    } finally {
      await third.close();
      engine.cli(['pins', 'window', 'close']);
    }
    expect(manifestRows()).toContainEqual({ decision: 'DRIFT_IN_WINDOW', tool_name: 'list_tickets' });
  });

  it('holds a new tool whose description carries a poisoning cue', async () => {
    const fourth = await run('poison');
    try {
      const names = (await fourth.client.listTools()).tools.map((t) => t.name);
      expect(names).not.toContain('summarize_ticket');
      await expect(fourth.client.callTool({ name: 'summarize_ticket', arguments: { id: '1' } })).rejects.toThrow(/poisoning cues/);
    } finally {
      await fourth.close();
    }
    expect(manifestRows()).toContainEqual({ decision: 'POISONED', tool_name: 'summarize_ticket' });
  });
});
