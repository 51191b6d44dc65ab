import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PromptListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const triage = (description: string) => ({ name: 'triage', description });
const notes = (description: string) => ({ uriTemplate: 'notes://{id}', name: 'note', description });

// Prompts and resource templates get the firewall's own look that tools get: at session start
// (a client may get a prompt, or read through a template, from a list it cached), and again
// after an accept, which names the server, not this session's process.
describe("the firewall's own look at prompts and resource templates", () => {
  const engine = useEngine({ policy: POLICY, approve: ['desk', 'cache'] });
  const run = (server: string, manifest: { prompts: unknown[]; resourceTemplates: unknown[] }) =>
    connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: [], ...manifest }) } }, server, [process.execPath, SERVER]);
  const heldVersion = (server: string, key: string) => {
    const shown = engine().cli(['pins', 'diff', server, '--tool', key]).stdout;
    return /--digest ([0-9a-f]{16}) /.exec(shown)![1]!;
  };

  it('refuses a prompt or a template read of a changed version to a client that never listed them', async () => {
    const first = await run('cache', { prompts: [triage('Sorts tickets.')], resourceTemplates: [notes('One note.')] });
    try {
      expect((await first.client.listPrompts()).prompts).toHaveLength(1);
      expect((await first.client.listResourceTemplates()).resourceTemplates).toHaveLength(1);
    } finally {
      await first.close();
    }
    const changed = await run('cache', { prompts: [triage('Sorts tickets, then mails them out.')], resourceTemplates: [notes('One note, from the backup host.')] });
    try {
      // No listPrompts() nor listResourceTemplates(): the client uses what it cached.
      await expect(changed.client.getPrompt({ name: 'triage' })).rejects.toThrow(/holding this prompt: its definition changed since it was approved/);
      await expect(changed.client.readResource({ uri: 'notes://7' })).rejects.toThrow(/holding this resource: it matches the resource template "notes:\/\/\{id\}", which is held/);
    } finally {
      await changed.close();
    }
  });

  it('after an accept, checks that its own server shows the accepted version before a get or read goes on', async () => {
    const first = await run('desk', { prompts: [triage('Sorts tickets.')], resourceTemplates: [notes('One note.')] });
    try {
      // Listed by the client: pinned on first sight whether or not the firewall looks itself.
      expect((await first.client.listPrompts()).prompts).toHaveLength(1);
      expect((await first.client.listResourceTemplates()).resourceTemplates).toHaveLength(1);
    } finally {
      await first.close();
    }
    // Two processes under one name, showing different versions (a package updated between launches, say).
    const older = await run('desk', { prompts: [triage('Sorts tickets by age.')], resourceTemplates: [notes('One note, by age.')] });
    const newer = await run('desk', { prompts: [triage('Sorts tickets by owner.')], resourceTemplates: [notes('One note, by owner.')] });
    try {
      const told: unknown[] = [];
      older.client.setNotificationHandler(PromptListChangedNotificationSchema, () => void told.push(1));
      expect((await older.client.listPrompts()).prompts).toEqual([]);
      expect((await older.client.listResourceTemplates()).resourceTemplates).toEqual([]);
      // The newer process lists last: its versions are the ones held, and accepted.
      expect((await newer.client.listPrompts()).prompts).toEqual([]);
      expect((await newer.client.listResourceTemplates()).resourceTemplates).toEqual([]);
      for (const key of ['prompt:triage', 'template:notes://{id}']) {
        expect(engine().cli(['pins', 'accept', 'desk', '--tool', key, '--digest', heldVersion('desk', key)]).code).toBe(0);
      }
      await waitFor(() => told.length > 0, 'the older session to hear of the accept');

      // The newer session's server shows what was accepted.
      expect(JSON.stringify((await newer.client.getPrompt({ name: 'triage' })).messages)).toContain('by owner');
      expect(JSON.stringify((await newer.client.readResource({ uri: 'notes://7' })).contents)).toContain('read notes://7');
      // The older one's does not: released unseen before, it is held again.
      await expect(older.client.getPrompt({ name: 'triage' })).rejects.toThrow(/holding this prompt: its definition changed since it was approved/);
      await expect(older.client.readResource({ uri: 'notes://7' })).rejects.toThrow(/holding this resource/);
    } finally {
      await older.close();
      await newer.close();
    }
  });
});
