import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardHttp } from '../../../main/firewall/api/dashboard-http.js';
import { DashboardInputError, type DashboardService } from '../../../main/firewall/api/dashboard-service.js';
import { QuarantineUnreadableError } from '../../../main/firewall/quarantine/quarantine-store.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** The dashboard's POST /api/dashboard/<method> over a service whose methods throw what each test gives. */
async function dashboardThrowing(thrown: Record<string, Error>): Promise<(method: string) => Promise<{ status: number; error: string }>> {
  const service = new Proxy({}, { get: (_t, method: string) => async () => { throw thrown[method]!; } }) as DashboardService;
  const dashboard = createDashboardHttp({ service, port: () => 0, rendererDir: null });
  server = createServer((req, res) => void dashboard.serveApi(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return async (method) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/dashboard/${method}`, { method: 'POST', body: JSON.stringify({ id: 'q_1' }) });
    return { status: response.status, error: ((await response.json()) as { error: string }).error };
  };
}

describe('what the dashboard answers when a method throws', () => {
  it('answers a held result that no longer decrypts 409 with the store\'s advice, as the control API does, not as an engine fault', async () => {
    const post = await dashboardThrowing({
      quarantinePreview: new QuarantineUnreadableError('q_1', 'held'),
      dropQuarantined: new DashboardInputError("no held result 'q_1' to drop"),
      releaseQuarantined: new Error('database is locked'),
    });
    expect(await post('quarantinePreview')).toEqual({ status: 409, error: expect.stringContaining('put the original key back') });
    expect(await post('dropQuarantined')).toEqual({ status: 400, error: "no held result 'q_1' to drop" });
    expect(await post('releaseQuarantined')).toEqual({ status: 500, error: 'database is locked' });
  });
});
