import type { AuditLog } from '../audit/audit-log.js';
import type { SecretIndex } from './secret-index.js';
import { FIREWALL_OWN_ENTRIES, isReservedSecretName, isValidSecretName, isValidServerName, type SecretRef, type SecretStore } from './secret-store.js';
import { argWord } from '../shell-word.js';

export type SecretState = 'stored' | 'missing' | 'unknown' | 'not-indexed';

export interface SecretListing {
  server: string;
  name: string;
  /**
   * stored: indexed and in the keychain; missing: indexed, gone from the keychain (the
   * server will be refused); unknown: keychain unreachable; not-indexed: in the keychain
   * under our service but not in this data dir's index, so never injected.
   */
  state: SecretState;
  updatedAt?: string;
}

export interface SecretList {
  entries: SecretListing[];
  /** Why the keychain could not be asked, when it could not. */
  keychainError?: string;
}

export interface Secrets {
  set(ref: SecretRef, value: string, actor: string): Promise<void>;
  /**
   * For `protect --move-secrets`: stores a value found in a client config unless the
   * keychain already holds a different one under that name. Two clients may each have a
   * server called `github` with different tokens; silently keeping the last would hand
   * one client's server the other's credentials.
   */
  adopt(ref: SecretRef, value: string, actor: string): Promise<void>;
  remove(ref: SecretRef, actor: string): Promise<boolean>;
  list(server?: string): Promise<SecretList>;
  /** The env a server is spawned with; throws (→ the server is refused) when it cannot be complete. */
  envFor(server: string): Promise<Record<string, string>>;
}

export interface SecretsDeps {
  store: SecretStore;
  index: SecretIndex;
  audit?: Pick<AuditLog, 'append'>;
}

export class SecretInputError extends Error {}
export class SecretConflictError extends Error {}

function checkRef(ref: SecretRef): void {
  if (!isValidServerName(ref.server)) throw new SecretInputError(`'${ref.server}' is not a valid server name`);
  checkNotOwn(ref.server);
  if (!isValidSecretName(ref.name)) throw new SecretInputError(`'${ref.name}' is not a valid environment variable name (letters, digits, _; not starting with a digit)`);
  if (isReservedSecretName(ref.name)) throw new SecretInputError(`'${ref.name}' would change what code the server runs, not configure it; it cannot be a secret`);
}

/**
 * What may be removed is looser than what may be stored: the index (a database any local
 * process of the user can write) and the keychain may hold a name we would never store, such
 * as NODE_OPTIONS. It gets its server refused, and removing it must work — for `secrets rm`,
 * which the refusal points at, and for containment, which would otherwise stop at it and
 * leave the server's other credentials behind.
 */
function checkRemovableRef(ref: SecretRef): void {
  if (!isValidServerName(ref.server)) throw new SecretInputError(`'${ref.server}' is not a valid server name`);
  checkNotOwn(ref.server);
  if (ref.name.length === 0 || /[\u0000-\u001f\u007f]/.test(ref.name)) throw new SecretInputError(`'${ref.name}' is not a secret name (empty, or with control characters)`);
}

function checkNotOwn(server: string): void {
  if (server === FIREWALL_OWN_ENTRIES) throw new SecretInputError(`'${server}' holds MCP Firewall's own keychain entries (the quarantine key), not a server's secrets`);
}

// One env string (NAME=value) is capped by the kernel (Linux MAX_ARG_STRLEN, 128 KiB): a
// larger value would be stored, then make every spawn of the server fail.
export const MAX_SECRET_BYTES = 64 * 1024;

export function createSecrets({ store, index, audit }: SecretsDeps): Secrets {
  const record = (decision: string, server: string, actor: string | null, reason: string) =>
    audit?.append({ event: 'secret', decision, actorId: actor, serverName: server, ruleId: 'keychain', reason });

  async function put(ref: SecretRef, value: string, actor: string, how: string): Promise<void> {
    checkRef(ref);
    // An env block cannot carry NUL; an empty secret is almost always a scripting slip.
    if (value.length === 0) throw new SecretInputError('the secret value is empty');
    if (value.includes('\0')) throw new SecretInputError('the secret value contains a NUL character');
    if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) throw new SecretInputError(`the secret value is larger than ${MAX_SECRET_BYTES / 1024} KiB`);
    // Keychain first: an index row without a stored value would get the server refused.
    await store.set(ref, value);
    index.add(ref);
    record('SET', ref.server, actor, `secret ${ref.name} of '${ref.server}' ${how}`);
  }

  return {
    set: (ref, value, actor) => put(ref, value, actor, 'stored in the OS keychain'),
    async adopt(ref, value, actor) {
      checkRef(ref);
      const existing = await store.get(ref);
      if (existing !== null && existing !== value) {
        throw new SecretConflictError(`the keychain already holds a different ${ref.name} for '${ref.server}' (another client's server of the same name?); rename one of them, or run 'mcp-firewall secrets rm ${argWord(ref.server)} ${ref.name}' first`);
      }
      await put(ref, value, actor, 'moved from a client config into the OS keychain');
    },
    async remove(ref, actor) {
      checkRemovableRef(ref);
      const deleted = await store.delete(ref);
      const unindexed = index.remove(ref);
      if (deleted || unindexed) record('REMOVED', ref.server, actor, `secret ${ref.name} of '${ref.server}' removed from the OS keychain`);
      return deleted || unindexed;
    },
    async list(server) {
      // An index entry under the firewall's own name (written before it was reserved) is no server's either.
      const indexed = index.list(server).filter((e) => e.server !== FIREWALL_OWN_ENTRIES);
      let inKeychain: SecretRef[] | undefined;
      let keychainError: string | undefined;
      try {
        inKeychain = (await store.list()).filter((r) => r.server !== FIREWALL_OWN_ENTRIES && (server === undefined || r.server === server));
      } catch (error) {
        keychainError = (error as Error).message;
      }
      const key = (r: SecretRef) => `${r.server}\0${r.name}`;
      const stored = new Set(inKeychain?.map(key));
      const entries: SecretListing[] = indexed.map((e) => ({
        server: e.server,
        name: e.name,
        state: inKeychain === undefined ? 'unknown' : stored.has(key(e)) ? 'stored' : 'missing',
        updatedAt: e.updatedAt,
      }));
      const known = new Set(indexed.map(key));
      for (const r of inKeychain ?? []) if (!known.has(key(r))) entries.push({ server: r.server, name: r.name, state: 'not-indexed' });
      entries.sort((a, b) => a.server.localeCompare(b.server) || a.name.localeCompare(b.name));
      return keychainError === undefined ? { entries } : { entries, keychainError };
    },
    async envFor(server) {
      const names = index.names(server);
      // The common case, and the one that must work without a keychain: no secrets, no D-Bus call.
      if (names.length === 0) return {};
      // The index is a file any local process of the user can write: check it as input.
      const bad = names.filter((name) => !isValidSecretName(name) || isReservedSecretName(name));
      if (bad.length > 0) throw new Error(`secret(s) ${bad.join(', ')} of '${server}' cannot be injected (not a plain configuration variable); remove them with 'mcp-firewall secrets rm ${argWord(server)} NAME'`);
      const values = await Promise.all(names.map((name) => store.get({ server, name })));
      const missing = names.filter((_, i) => values[i] === null);
      if (missing.length > 0) {
        throw new Error(`secret(s) ${missing.join(', ')} are indexed but missing from the keychain (or the keyring is locked: unlock it and restart the server); otherwise set them again with 'mcp-firewall secrets set ${argWord(server)} NAME'`);
      }
      const env: Record<string, string> = {};
      names.forEach((name, i) => (env[name] = values[i]!));
      record('INJECTED', server, null, `injected ${names.length} secret(s) into the environment of '${server}': ${names.join(', ')}`);
      return env;
    },
  };
}
