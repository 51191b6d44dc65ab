import { describe, expect, it } from 'vitest';
import { filterSession } from '../../helpers/manifest-filter-session.js';

// A prompts/get of a prompt the server never listed is refused once the firewall's own look
// at the prompts went through, and only then: what the server listed tells nothing before.
function promptsLook() {
  const { filter, ownId } = filterSession('desk', { prompts: {} });
  return { filter, answer: (reply: { result?: unknown; error?: unknown }) => filter.ownAnswer({ jsonrpc: '2.0', id: ownId('prompts/list'), ...reply }) };
}

describe('prompts/get of a prompt the server never listed', () => {
  it('takes "Method not found" to its own prompts/list as no prompts: every get is refused, as every call is when tools/list fails', () => {
    const { filter, answer } = promptsLook();
    // Before the look ends, the get waits for it (looking); the server's list says nothing yet.
    expect(filter.looking('prompts')).toBe(true);
    expect(filter.heldReason('prompts/get', 'triage')).toBeNull();
    answer({ error: { code: -32601, message: 'Method not found' } });
    expect(filter.looking('prompts')).toBe(false);
    expect(filter.heldReason('prompts/get', 'triage')).toBe("'desk' never listed it, so the firewall has not checked its definition");
  });

  it('gets a prompt the look saw, refuses one it did not', async () => {
    const { filter, answer } = promptsLook();
    answer({ result: { prompts: [{ name: 'triage', description: 'Sorts tickets.' }] } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(filter.looking('prompts')).toBe(false);
    expect(filter.heldReason('prompts/get', 'triage')).toBeNull();
    expect(filter.heldReason('prompts/get', 'export_everything')).toMatch(/never listed it/);
  });

  it('forgets what the server listed once it answers a later look "Method not found": a prompt changed since is not got as listed', async () => {
    const { filter, sent } = filterSession('desk', { prompts: {} });
    const lists = () => sent.filter((m) => m.method === 'prompts/list');
    filter.ownAnswer({ jsonrpc: '2.0', id: lists()[0]!.id, result: { prompts: [{ name: 'triage', description: 'Sorts tickets.' }] } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(filter.heldReason('prompts/get', 'triage')).toBeNull();
    filter.listChanged('prompts');
    expect(lists()).toHaveLength(2);
    filter.ownAnswer({ jsonrpc: '2.0', id: lists()[1]!.id, error: { code: -32601, message: 'Method not found' } });
    expect(filter.heldReason('prompts/get', 'triage')).toMatch(/never listed it/);
  });
});
