import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { loadQuarantineKey } from '../../../main/firewall/quarantine/quarantine-key.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function keyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-qkeyfile-'));
  dirs.push(dir);
  return join(dir, 'quarantine.key');
}

const KEY_REF = { server: 'mcp-firewall', name: 'QUARANTINE_KEY' };

describe('a stored quarantine key that is not 32 bytes', () => {
  it.each([
    ['truncated', randomBytes(32).toString('base64').slice(0, 20), /this is 15 bytes of base64/],
    ['empty', '', /this is 0 bytes of base64/],
    ['not base64', 'correct horse battery staple', /this is 28 characters that are not base64/],
  ])('refuses a %s key file, naming it and what to do, and leaves it as it was', async (_kind, text, found) => {
    const file = keyFile();
    writeFileSync(file, text, { mode: 0o600 });
    const failure = loadQuarantineKey(null, file);
    await expect(failure).rejects.toThrow(found);
    await expect(failure).rejects.toThrow(`the quarantine key in ${file} is malformed: an AES-256 key is 32 bytes of base64 (44 characters)`);
    await expect(failure).rejects.toThrow(/It is left as it is, .* put the original file back; or, .* delete the file and a new key is made at the next hold\.$/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a malformed keychain entry instead of switching to the key file', async () => {
    const file = keyFile();
    const store = createMemorySecretStore();
    await store.set(KEY_REF, randomBytes(16).toString('base64'));
    await expect(loadQuarantineKey(store, file)).rejects.toThrow(
      /^the quarantine key in the OS keychain \(service mcp-firewall, entry QUARANTINE_KEY\) is malformed: .* this is 16 bytes of base64\. .*put the original key back in that entry/,
    );
    expect(existsSync(file)).toBe(false);
    expect(await store.get(KEY_REF)).toHaveLength(24);
  });
});

describe('an existing quarantine key file', () => {
  it.skipIf(process.platform === 'win32')('is narrowed to 0600 when others could read it, and its key kept', async () => {
    const file = keyFile();
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`);
    chmodSync(file, 0o644);
    expect((await loadQuarantineKey(null, file)).key.equals(key)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
