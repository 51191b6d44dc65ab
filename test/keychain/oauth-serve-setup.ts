import keytar from 'keytar';
import { expect } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { removeHome, startEngine, type RunningEngine } from '../helpers/engine-harness.js';
import { startOAuthServer, type OAuthServer } from '../integration/oauth-fixture.js';

/** A real `serve` and the OAuth fixture, with `server` pinned to the fixture's URL (not logged in yet). */
export async function startServeWithOAuthFixture(server: string, fixtureEnv: NodeJS.ProcessEnv = {}): Promise<{ engine: RunningEngine; remote: OAuthServer }> {
  const engine = await startEngine();
  const remote = await startOAuthServer(fixtureEnv);
  const approve = engine.cli(['registry', 'approve', server, '--url', remote.url]);
  expect(approve.code, approve.stderr).toBe(0);
  return { engine, remote };
}

/** Stops both, and takes the login's entries out of the real keychain (the tests share it with the user's session). */
export async function stopServeAndForget(setup: { engine?: RunningEngine; remote?: OAuthServer }, server: string, names: string[]): Promise<void> {
  await setup.remote?.stop();
  await setup.engine?.stop();
  if (setup.engine) removeHome(setup.engine.home);
  for (const name of names) await keytar.deletePassword(KEYCHAIN_SERVICE, `${server}/env/${name}`);
}
