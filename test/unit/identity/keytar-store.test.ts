import { describe, expect, it } from 'vitest';
import { createKeytarStore } from '../../../main/firewall/identity/keytar-store.js';
import { KeychainUnavailableError } from '../../../main/firewall/identity/secret-store.js';

type Keytar = typeof import('keytar');

function fakeKeytar(overrides: Partial<Keytar> = {}): Keytar {
  const entries = new Map<string, string>();
  return {
    getPassword: async (s, a) => entries.get(`${s}|${a}`) ?? null,
    setPassword: async (s, a, p) => void entries.set(`${s}|${a}`, p),
    deletePassword: async (s, a) => entries.delete(`${s}|${a}`),
    findPassword: async () => null,
    findCredentials: async (s) =>
      [...entries].filter(([k]) => k.startsWith(`${s}|`)).map(([k, password]) => ({ account: k.slice(s.length + 1), password })),
    ...overrides,
  } as Keytar;
}

describe('keytar adapter', () => {
  it('keeps one account per server, purpose and name under one service, and lists names only', async () => {
    const keytar = fakeKeytar();
    const store = createKeytarStore({ service: 'svc', load: async () => keytar });
    await store.set({ server: 'github', name: 'GITHUB_TOKEN' }, 'v1');
    expect(await keytar.getPassword('svc', 'github/env/GITHUB_TOKEN')).toBe('v1');
    expect(await store.list()).toEqual([{ server: 'github', name: 'GITHUB_TOKEN', purpose: 'env' }]);
    expect(await store.delete({ server: 'github', name: 'GITHUB_TOKEN' })).toBe(true);
  });

  it('gives up on a keychain that never answers (a locked keyring prompting) instead of hanging', async () => {
    const store = createKeytarStore({ timeoutMs: 50, load: async () => fakeKeytar({ getPassword: () => new Promise(() => {}) }) });
    await expect(store.get({ server: 's', name: 'K' })).rejects.toThrow(/no answer within 50 ms/);
  });

  it('reports a missing native module or D-Bus session as unavailable, and retries the load later', async () => {
    let attempts = 0;
    const store = createKeytarStore({
      load: async () => {
        attempts++;
        if (attempts === 1) throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
        return fakeKeytar();
      },
    });
    await expect(store.get({ server: 's', name: 'K' })).rejects.toBeInstanceOf(KeychainUnavailableError);
    expect(await store.get({ server: 's', name: 'K' })).toBeNull();
    expect(attempts).toBe(2);
  });
});
