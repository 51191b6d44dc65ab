import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawnSync } from 'node:child_process';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { removeHome, startEngine, type RunningEngine } from '../helpers/engine-harness.js';
import { CLI } from '../helpers/paths.js';
import { startHeaderServer, type RemoteServer } from '../helpers/remote-server.js';

// The firewall's own credential for a remote server lives in the real OS keychain and is
// the only Authorization the server ever sees; the client's is dropped.
const FIREWALL_CREDENTIAL = `Bearer fw-${process.pid}-from-the-keychain`;
const CLIENT_CREDENTIAL = 'Bearer client-token-must-not-leak';

describe('a remote server gets the keychain credential, never the client one', () => {
  let engine: RunningEngine;
  let remote: RemoteServer;
  beforeAll(async () => {
    engine = await startEngine({ policy: 'version: v1\nrules: []\n' });
    remote = await startHeaderServer();
    expect(engine.cli(['registry', 'approve', 'crm-remote', '--url', remote.url]).code).toBe(0);
    const set = spawnSync(process.execPath, [CLI, 'secrets', 'set', 'crm-remote', 'AUTHORIZATION', '--value-stdin'], { env: engine.env, input: FIREWALL_CREDENTIAL, encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
  });
  afterAll(async () => {
    await remote?.stop();
    await engine.stop();
    removeHome(engine.home);
    await keytar.deletePassword(KEYCHAIN_SERVICE, 'crm-remote/env/AUTHORIZATION');
  });

  it('sends the AUTHORIZATION secret from the keychain on every upstream request', async () => {
    const client = new Client({ name: 'keychain-remote-test', version: '1.0.0' });
    const endpoint = new URL(engine.route('crm-remote'));
    await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers: { authorization: CLIENT_CREDENTIAL } } }));
    try {
      // Any traffic will do; not a tool whose answer echoes the credential back (the output
      // stage would rightly redact or quarantine it, and how depends on how many it saw).
      await client.listTools();
    } finally {
      await client.close();
    }
    const seen = (await (await fetch(`http://127.0.0.1:${remote.port}/seen`)).json()) as Array<{ method: string; authorization: string | null }>;
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.map((request) => request.authorization)).toEqual(seen.map(() => FIREWALL_CREDENTIAL));
  });
});
