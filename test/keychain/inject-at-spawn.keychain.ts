import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import keytar from 'keytar';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { removeHome, startEngine, type RunningEngine } from '../helpers/engine-harness.js';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { CLI } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

const FAULTY_SERVER = join(FIXTURES, 'servers', 'faulty-server.mjs');
const TOKEN = `tok-${process.pid}-injected-at-spawn`;

function secretsSet(engine: RunningEngine, server: string, name: string, value: string) {
  const result = spawnSync(process.execPath, [CLI, 'secrets', 'set', server, name, '--value-stdin'], { env: engine.env, input: value, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
}

/** sha256 of the variable as the server sees it ('unset' if absent): the value itself would be redacted on the way back. */
async function serverEnvDigest(connection: ShimConnection, name: string): Promise<string> {
  const result = (await connection.client.callTool({ name: 'read_env_digest', arguments: { name } })) as { content: { type: string; text: string }[] };
  return result.content[0]!.text;
}
const digest = (value: string) => createHash('sha256').update(value).digest('hex');

describe('keychain secrets reach the server at spawn', () => {
  const engines: RunningEngine[] = [];
  const connections: ShimConnection[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    for (const e of engines) {
      await e.stop();
      removeHome(e.home);
    }
    await keytar.deletePassword(KEYCHAIN_SERVICE, 'everything/env/API_TOKEN');
  });

  it('injects a secret set with the CLI into the environment of the real server', async () => {
    const engine = await startEngine();
    engines.push(engine);
    secretsSet(engine, 'everything', 'API_TOKEN', TOKEN);
    expect(engine.cli(['registry', 'approve', 'everything']).code).toBe(0);

    // The client's own env does not carry the token: only the keychain can have put it there.
    expect(engine.env.API_TOKEN).toBeUndefined();
    const connection = await connectThroughShim(engine, 'everything', [process.execPath, FAULTY_SERVER]);
    connections.push(connection);
    expect(await serverEnvDigest(connection, 'API_TOKEN')).toBe(digest(TOKEN));

    const audit = engine.cli(['audit', 'query', 'SELECT event, decision, reason FROM mcp_audit', '--json']);
    expect(audit.stdout).toContain('INJECTED');
    expect(audit.stdout).toContain('API_TOKEN');
    expect(audit.stdout).not.toContain(TOKEN);
    expect(engine.stderr()).not.toContain(TOKEN);
  });

  it('without a keychain, still starts a server that has no secrets but refuses one that has', async () => {
    // serve outside the D-Bus session: libsecret cannot reach any Secret Service.
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    let engine: RunningEngine;
    try {
      engine = await startEngine();
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
    engines.push(engine);
    // The index is written from inside the session (where the keychain works)...
    const withBus = { ...engine, env: { ...engine.env, DBUS_SESSION_BUS_ADDRESS: saved } };
    secretsSet(withBus, 'everything', 'API_TOKEN', TOKEN);
    engine.cli(['registry', 'approve', 'everything']);
    engine.cli(['registry', 'approve', 'plain']);

    const plain = await connectThroughShim(engine, 'plain', [process.execPath, FAULTY_SERVER]);
    connections.push(plain);
    expect(await serverEnvDigest(plain, 'API_TOKEN')).toBe('unset');

    // ...but the engine cannot read it back, so the server must not start half-configured.
    // The shim answers `initialize` itself with the refusal, so the SDK client's connect fails.
    const refused = await connectThroughShim(engine, 'everything', [process.execPath, FAULTY_SERVER]).then(
      (c) => (connections.push(c), new Error('connected')),
      (e: Error) => e,
    );
    expect(refused.message).toMatch(/refused to start 'everything': cannot read the secrets .* OS keychain/);
    expect(refused.message).not.toContain(TOKEN);
    const audit = engine.cli(['audit', 'query', "SELECT rule_id FROM mcp_audit WHERE decision = 'DENY'", '--json']);
    expect(audit.stdout).toContain('keychain-unavailable');
  });
});
