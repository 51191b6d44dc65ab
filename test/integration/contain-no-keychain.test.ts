import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createSecretIndex } from '../../main/firewall/identity/secret-index.js';
import { openDatabase } from '../../main/firewall/store/database.js';
import { useEngine } from '../helpers/engine-harness.js';

// No OS keychain: a D-Bus session bus that is not there (a headless box, a service account,
// an SSH session). Containment must still do what it can, and say — in its exit code, for
// the script running it — that credentials may be left.
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mcpfw-no-session-bus', DISPLAY: '' };

describe('contain without an OS keychain', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['crm', 'billing'], env: NO_KEYCHAIN });

  const containedState = (server: string) => {
    const registry = engine().cli(['registry', 'list', '--json']);
    const entry = (JSON.parse(registry.stdout) as Array<{ name: string; enabled: boolean }>).find((e) => e.name === server);
    return { enabled: entry?.enabled, emergency: engine().cli(['policy', 'emergency', 'status']).stdout };
  };

  it('exits 1 when the keychain could not be listed, after disabling the server and forcing write approval, and says credentials may remain', () => {
    const contained = engine().cli(['contain', 'crm']);
    expect(contained.code).toBe(1);
    expect(contained.stdout).toContain('[3/3] forcing approval mode on all write actions');
    expect(contained.stdout).not.toContain('Containment completed');
    expect(contained.stderr).toMatch(/^contain: containment of 'crm' is INCOMPLETE: it is disabled and every write action now needs approval, but the OS keychain could not be listed \(.+\), so credentials for 'crm' that the firewall's index does not name may still be in it\. /);
    expect(contained.stderr).toContain("run 'mcp-firewall contain crm' again");
    expect(contained.stderr.trim().split('\n')).toHaveLength(1);
    expect(containedState('crm')).toMatchObject({ enabled: false, emergency: expect.stringContaining('ON') });
  });

  it('exits 1 naming the failure when an indexed credential could not be removed, the other steps done', () => {
    const db = openDatabase(join(engine().home, 'firewall.db'));
    try {
      // As `secrets set` leaves it where a keychain was reachable then.
      createSecretIndex(db).add({ server: 'billing', name: 'BILLING_TOKEN' });
    } finally {
      db.close();
    }
    engine().cli(['policy', 'emergency', 'off']);
    const contained = engine().cli(['contain', 'billing']);
    expect(contained.code).toBe(1);
    expect(contained.stdout).not.toContain('Containment completed');
    expect(contained.stderr).toMatch(/^contain: containment of 'billing' is INCOMPLETE: it is disabled and every write action now needs approval, but its credentials were not all removed from the OS keychain: /);
    expect(containedState('billing')).toMatchObject({ enabled: false, emergency: expect.stringContaining('ON') });
  });
});
