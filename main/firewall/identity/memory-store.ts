import { accountFor, KeychainUnavailableError, parseAccount, type SecretRef, type SecretStore } from './secret-store.js';

export interface MemorySecretStore extends SecretStore {
  /** Simulates a locked keychain or a missing D-Bus session. */
  setAvailable(available: boolean): void;
  /** How many times the backend was touched: proves the fast path never asks it. */
  readonly calls: number;
}

/** For unit tests: the same contract as the keychain, in a Map. */
export function createMemorySecretStore(initial: Record<string, string> = {}): MemorySecretStore {
  const entries = new Map<string, string>(Object.entries(initial));
  let available = true;
  let calls = 0;
  const guard = () => {
    calls++;
    if (!available) throw new KeychainUnavailableError(new Error('simulated: no keychain'));
  };
  return {
    get calls() {
      return calls;
    },
    setAvailable: (value) => {
      available = value;
    },
    async set(ref, value) {
      guard();
      entries.set(accountFor(ref), value);
    },
    async get(ref) {
      guard();
      return entries.get(accountFor(ref)) ?? null;
    },
    async delete(ref) {
      guard();
      return entries.delete(accountFor(ref));
    },
    async list() {
      guard();
      return [...entries.keys()].map(parseAccount).filter((r): r is SecretRef => r !== null);
    },
  };
}
