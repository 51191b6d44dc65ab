import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpInterposer } from '../../../main/firewall/http/interposer.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { LOGIN_URL } from '../../../main/firewall/identity/oauth-secrets.js';
import { approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { routeUrl } from '../../helpers/engine-harness.js';
import { startInProcessEngine, type InProcessEngine } from '../../helpers/in-process-engine.js';

describe('a dead OAuth login behind the interposer (engine in process)', () => {
  let running: InProcessEngine;
  // Every request refused: the session's access token is dead, and so is its refresh token.
  const remote = createServer((req, res) => {
    req.resume();
    res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/mcp`;
    const login = {
      AUTHORIZATION: 'Bearer dead-access-token',
      OAUTH_REFRESH_TOKEN: 'dead-refresh-token',
      OAUTH_CLIENT: JSON.stringify({ client_id: 'firewall' }),
      OAUTH_SERVER: JSON.stringify({ authorizationServerUrl: 'http://127.0.0.1:1', [LOGIN_URL]: url }),
    };
    running = await startInProcessEngine('mcpfw-oauth-flood-', { secretEnv: async () => login, secretStore: createMemorySecretStore() });
    approveServer(running.engine.registry, running.engine.audit, 'dead', 'test', remoteFingerprint(url));
  });
  afterAll(async () => {
    remote.closeAllConnections();
    remote.close();
    await running.close();
  });

  it('writes one OAUTH_REFRESH_FAILED row for many sessions, not one each', async () => {
    const interposer = createHttpInterposer(running.engine, { socketPath: running.engine.paths.socket });
    const server = createServer((req, res) => void interposer.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = routeUrl((server.address() as AddressInfo).port, running.engine.routeKey, 'dead');
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'flood', version: '1' } } });
    try {
      for (let i = 0; i < 8; i++) {
        const answer = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: initialize });
        expect(await answer.text()).toMatch(/log in again with: mcp-firewall auth login dead/);
      }
      const rows = running.engine.db.prepare("SELECT server_name FROM mcp_audit WHERE decision = 'OAUTH_REFRESH_FAILED'").all();
      expect(rows).toEqual([{ server_name: 'dead' }]);
    } finally {
      interposer.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
