import { describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/engine-harness.js';

// Containment is run in a hurry, perhaps with a mistyped name or for a server someone added
// to a client by hand and never approved: its credentials and the write approval for every
// server must not wait on the registry knowing the name.
describe('contain for a name the registry does not have', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['crm'] });

  it('still revokes its tokens and forces write approval, then exits 1 saying it was not disabled', () => {
    const contained = engine().cli(['contain', 'ghost']);
    expect(contained.code).toBe(1);
    expect(contained.stdout).toContain('[1/3] disabling server in registry: ghost');
    expect(contained.stdout).toContain("      failed: server 'ghost' is not in the registry");
    expect(contained.stdout).toContain('[2/3] revoking active tokens for server: ghost');
    expect(contained.stdout).toContain('[3/3] forcing approval mode on all write actions');
    expect(contained.stdout).not.toContain('Containment completed');
    expect(contained.stderr).toMatch(/^contain: containment of 'ghost' is INCOMPLETE: every write action now needs approval, but it was not disabled \(server 'ghost' is not in the registry\)/);
    expect(contained.stderr).toContain("'mcp-firewall registry list'");
    expect(contained.stderr.trim().split('\n')).toHaveLength(1);
    expect(engine().cli(['policy', 'emergency', 'status']).stdout).toContain('ON');
    const revoked = JSON.parse(engine().cli(['audit', 'query', "SELECT decision, server_name FROM mcp_audit WHERE event = 'secret'", '--json']).stdout) as unknown[];
    expect(revoked).toEqual([{ decision: 'TOKENS_REVOKED', server_name: 'ghost' }]);
    // The server it does know is untouched by the name it does not.
    expect(engine().cli(['registry', 'list']).stdout).toMatch(/crm/);
  });
});
