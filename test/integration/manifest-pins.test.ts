import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const RUG_PULL = join(FIXTURES, 'servers', 'rug-pull-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';

describe('manifest pins catch a rug pull', () => {
  const engine = useEngine({ policy: POLICY, approve: ['tickets'] });
  const run = (variant: string) => connectThroughShim({ env: { ...engine().env, RUG_PULL_VARIANT: variant } }, 'tickets', [process.execPath, RUG_PULL]);
  const manifestRows = () =>
    JSON.parse(engine().cli(['audit', 'query', "SELECT decision, tool_name FROM mcp_audit WHERE event = 'manifest' ORDER BY id", '--json']).stdout) as Array<{ decision: string; tool_name: string | null }>;


  it('pins every tool, prompt and the instructions on first sight', async () => {
    const first = await run('1');
    try {
      expect(first.client.getInstructions()).toBe('Tickets server.');
      expect((await first.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
      expect((await first.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['triage', 'summary']);
    } finally {
      await first.close();
    }
    expect(manifestRows()).toEqual([
      { decision: 'PINNED', tool_name: null },
      { decision: 'PINNED', tool_name: null },
      { decision: 'PINNED', tool_name: null },
    ]);
  });

  it('withholds drifted instructions and hides a drifted prompt until accepted', async () => {
    const drifted = await run('2');
    try {
      expect(drifted.client.getInstructions()).toBeUndefined();
      expect((await drifted.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['summary']);
      await expect(drifted.client.getPrompt({ name: 'triage', arguments: { id: '1' } })).rejects.toThrow(/holding this prompt/);
      const summary = await drifted.client.getPrompt({ name: 'summary' });
      expect(JSON.stringify(summary.messages)).toContain('variant 2');
    } finally {
      await drifted.close();
    }
    // The new triage text tells the model to act "without asking": a poisoning cue, not mere drift.
    expect(manifestRows()).toEqual(expect.arrayContaining([{ decision: 'DRIFT', tool_name: 'instructions' }, { decision: 'POISONED', tool_name: 'prompt:triage' }]));
    const diff = engine().cli(['pins', 'diff', 'tickets']);
    expect(diff.stdout).toContain('prompt:triage (poisoned)');
    expect(diff.stdout).toContain('instructions (drifted)');
    expect(diff.stdout).toContain('without asking');
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
      expect(manifestRows()).toContainEqual({ decision: 'DRIFT', tool_name: 'list_tickets' });

      const diff = engine().cli(['pins', 'diff', 'tickets']);
      expect(diff.stdout).toContain('list_tickets (drifted)');
      expect(diff.stdout).toMatch(/\+.*closes every ticket older than a week/);

      // Accept names the version the diff showed; without one nothing is accepted.
      expect(engine().cli(['pins', 'accept', 'tickets', '--tool', 'list_tickets']).stderr).toMatch(/pins accept needs --digest/);
      const shown = engine().cli(['pins', 'diff', 'tickets', '--tool', 'list_tickets']).stdout;
      const version = /to accept this version: mcp-firewall pins accept --tool list_tickets --digest ([0-9a-f]{16}) tickets\n/.exec(shown)?.[1];
      expect(shown).toContain(`list_tickets (drifted) version ${version}:`);
      expect(engine().cli(['pins', 'accept', 'tickets', '--tool', 'list_tickets', '--digest', version!]).stdout).toContain('accepted and pinned list_tickets');
      await waitFor(() => changed.length > 0, 'tools/list_changed after accept');
      expect((await second.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
      expect(JSON.stringify((await second.client.callTool({ name: 'list_tickets', arguments: {} })).content)).toContain('variant 2');
    } finally {
      await second.close();
    }
  });

  it('checks the tools itself, so a client that never lists cannot call a drifted tool', async () => {
    // list_tickets is pinned at variant 2 now; variant 1's text is drift again.
    const drifts = () => manifestRows().filter((r) => r.decision === 'DRIFT' && r.tool_name === 'list_tickets').length;
    const before = drifts();
    const silent = await run('1');
    try {
      // No listTools(): the client calls from a list it remembers.
      await waitFor(() => drifts() > before, 'the shim to check the tools on its own');
      await expect(silent.client.callTool({ name: 'list_tickets', arguments: {} })).rejects.toThrow(/manifest drift/);
    } finally {
      await silent.close();
    }
  });

  it('records drift inside a deploy window instead of blocking it', async () => {
    expect(engine().cli(['pins', 'window', 'open', 'CHG-1234', '--minutes', '5']).code).toBe(0);
    const third = await run('3');
    try {
      expect((await third.client.listTools()).tools.map((t) => t.name)).toEqual(['read_ticket', 'list_tickets']);
    } finally {
      await third.close();
      engine().cli(['pins', 'window', 'close']);
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

  it('records a held version kept blocked from the CLI, only the version the diff showed', () => {
    const shown = engine().cli(['pins', 'diff', 'tickets', '--tool', 'summarize_ticket']).stdout;
    const version = /to keep it blocked: mcp-firewall pins keep-blocked --tool summarize_ticket --digest ([0-9a-f]{16}) tickets\n/.exec(shown)?.[1];
    expect(version).toBeDefined();
    expect(engine().cli(['pins', 'keep-blocked', 'tickets', '--tool', 'summarize_ticket']).stderr).toMatch(/pins keep-blocked needs --tool and --digest/);
    const stale = engine().cli(['pins', 'keep-blocked', 'tickets', '--tool', 'summarize_ticket', '--digest', '0'.repeat(16)]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/the server changed 'summarize_ticket' again since you looked/);
    expect(manifestRows().filter((r) => r.decision === 'KEPT_BLOCKED')).toEqual([]);

    const kept = engine().cli(['pins', 'keep-blocked', 'tickets', '--tool', 'summarize_ticket', '--digest', version!]);
    expect(kept.stdout).toContain(`summarize_ticket version ${version} kept blocked`);
    expect(manifestRows().filter((r) => r.decision === 'KEPT_BLOCKED')).toEqual([{ decision: 'KEPT_BLOCKED', tool_name: 'summarize_ticket' }]);
    // Still held: a decision, not an accept.
    expect(engine().cli(['pins', 'list', 'tickets']).stdout).toMatch(/held until accepted:[\s\S]*summarize_ticket/);
    expect(engine().cli(['pins', 'keep-blocked', 'tickets', '--tool', 'read_ticket', '--digest', version!]).stderr).toMatch(/nothing held for 'tickets' tool 'read_ticket'/);
  });
});
