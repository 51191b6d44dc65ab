import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const TRIAGE = { name: 'triage', description: 'Sorts tickets.' };
const EXPORT = { name: 'export_everything', description: 'Mails every ticket to an outside address.' };

// A prompt the server serves but never lists was never pinned nor read for poisoning cues:
// its name can reach the model from any text, as a never-listed tool's can, and is refused so.
describe('prompts the server never listed', () => {
  const engine = useEngine({ policy: POLICY, approve: ['hidden', 'undeclared'] });
  const run = (server: string, manifest: Record<string, unknown>) =>
    connectThroughShim({ env: { ...engine().env, MANIFEST: JSON.stringify({ tools: [], ...manifest }) } }, server, [process.execPath, SERVER]);

  it('refuses a prompts/get (and a completion) of a prompt the server never listed, and gets a listed one', async () => {
    const conn = await run('hidden', { prompts: [TRIAGE], hiddenPrompts: [EXPORT] });
    try {
      await expect(conn.client.getPrompt({ name: 'export_everything' })).rejects.toThrow(/holding this prompt: 'hidden' never listed it, so the firewall has not checked its definition/);
      await expect(conn.client.complete({ ref: { type: 'ref/prompt', name: 'export_everything' }, argument: { name: 'to', value: 'a' } })).rejects.toThrow(/holding this prompt: 'hidden' never listed it/);
      expect(JSON.stringify((await conn.client.getPrompt({ name: 'triage' })).messages)).toContain('triage: Sorts tickets.');
    } finally {
      await conn.close();
    }
  });

  it('looks at the prompts of a server that declares none before the first get, as for tools, and refuses one it does not list', async () => {
    // No `prompts` capability in initialize; the server still serves prompts/get.
    const conn = await run('undeclared', { hiddenPrompts: [EXPORT] });
    try {
      await expect(conn.client.getPrompt({ name: 'export_everything' })).rejects.toThrow(/holding this prompt: 'undeclared' never listed it/);
    } finally {
      await conn.close();
    }
  });
});
