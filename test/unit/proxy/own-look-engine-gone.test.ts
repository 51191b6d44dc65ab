import { describe, expect, it } from 'vitest';
import { createOwnLook } from '../../../main/firewall/proxy/own-look.js';

function promptsLook() {
  const sent: number[] = [];
  const engine = { closed: true };
  const look = createOwnLook({
    server: 'desk', method: 'prompts/list', field: 'prompts', noun: 'prompts', listNoun: 'prompt list', noneWhen: 'method-not-found',
    send: (which) => void sent.push(which),
    check: async () => {},
    closed: () => engine.closed,
  });
  return { look, sent, engine };
}

const ENGINE_GONE = "the firewall could not check the prompts of 'desk': the MCP Firewall engine is not running; start it with `mcp-firewall serve`";

describe("the firewall's own look while the engine is gone", () => {
  it('refuses at once the request that would start the first look, saying the engine is gone, and lists nothing', () => {
    const { look, sent } = promptsLook();
    expect(look.looking()).toBe(false);
    expect(look.unchecked).toBe(ENGINE_GONE);
    expect(sent).toEqual([]);
  });

  it('refuses after a list_changed too, once a look went through: what changed cannot be checked', async () => {
    const { look, sent, engine } = promptsLook();
    engine.closed = false;
    look.start();
    look.answer({ jsonrpc: '2.0', id: 'mcp-firewall/1', result: { prompts: [] } }, sent[0]!, 1);
    await Promise.resolve();
    expect(look.unchecked).toBeNull();
    engine.closed = true;
    look.changed();
    expect(look.unchecked).toBe(ENGINE_GONE);
    expect(look.looking()).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('looks again on the first request once the engine is back', () => {
    const { look, sent, engine } = promptsLook();
    expect(look.looking()).toBe(false);
    engine.closed = false;
    expect(look.looking()).toBe(true);
    expect(sent).toHaveLength(1);
  });
});
