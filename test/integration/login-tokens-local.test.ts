import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { approveServer } from '../../main/firewall/registry/registry-actions.js';
import { waitFor } from '../helpers/engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from '../helpers/in-process-engine.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// A server that once was remote, with an `auth login`, re-pinned to a local command: the
// login's tokens were obtained for its URL and must not land in the local process's environment.
describe('the secrets a local launch gets', () => {
  let fw: InProcessEngine;
  const keychain: Record<string, string> = {
    AUTHORIZATION: 'Bearer access-token-for-the-url',
    OAUTH_REFRESH_TOKEN: 'refresh-token-for-the-url',
    OAUTH_CLIENT: '{"client_id":"c","client_secret":"s"}',
    OAUTH_SERVER: '{"issuer":"https://auth.example"}',
    API_KEY: 'set-by-hand',
  };
  beforeAll(async () => {
    fw = await startInProcessEngine('mcpfw-login-local-', { secretEnv: () => Promise.resolve({ ...keychain }) }, 'version: v1\nrules: []\n');
    approveServer(fw.engine.registry, fw.engine.audit, 'tracker', 'test', { command: process.execPath, args: [FAULTY] });
  });
  afterAll(() => fw?.close());

  it("keeps an auth login's tokens out, and passes the server's other secrets", async () => {
    const shim = rawShim({ env: { ...process.env, MCP_FIREWALL_HOME: fw.dir } }, 'tracker', [process.execPath, FAULTY]);
    try {
      shim.send('{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":"l","method":"tools/list"}');
      await waitFor(() => shim.lines.find((l) => l.includes('"id":"l"')), 'the tool list');
      const names = Object.keys(keychain);
      names.forEach((name, n) => shim.send(`{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"read_env_digest","arguments":{"name":"${name}"}}}`));
      const seen = await waitFor(() => {
        const answers = names.map((_, n) => shim.lines.find((l) => l.startsWith(`{"jsonrpc":"2.0","id":${n},`)));
        return answers.every(Boolean) ? answers.map((a) => (JSON.parse(a!) as { result: { content: Array<{ text: string }> } }).result.content[0]!.text) : null;
      }, 'the env digests');
      expect(Object.fromEntries(names.map((name, n) => [name, seen[n]]))).toEqual({
        AUTHORIZATION: 'unset', OAUTH_REFRESH_TOKEN: 'unset', OAUTH_CLIENT: 'unset', OAUTH_SERVER: 'unset', API_KEY: sha256('set-by-hand'),
      });
    } finally {
      shim.child.stdin!.end();
    }
  });
});
