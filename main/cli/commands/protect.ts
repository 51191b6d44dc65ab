import { protectClients, unprotectClients } from '../../firewall/clients/index.js';
import { editText } from '../../firewall/clients/report-text.js';
import { createKeytarStore } from '../../firewall/identity/keytar-store.js';
import type { SecretStore } from '../../firewall/identity/secret-store.js';
import { openSecretsSession, type SecretsSession } from '../../firewall/identity/secrets-session.js';
import { existsSync } from 'node:fs';
import { AUTO_PROTECT_UNDOES_UNPROTECT, autoProtectOn } from '../../firewall/client-watch.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { openReadOnly } from '../../firewall/store/database.js';
import type { CommandHandler } from '../command.js';
import { readControlInfo } from '../control-client.js';
import { coreDeps, defaultClientDeps, parseClientArgs, type ClientCommandDeps } from './scan.js';

export const PROTECT_USAGE = 'usage: mcp-firewall protect [--client ID] [--dry-run] [--move-secrets] [--json] [--project DIR]…';
export const UNPROTECT_USAGE = 'usage: mcp-firewall unprotect [--client ID] [--dry-run] [--json] [--project DIR]…';

const FLAGS = ['--json', '--client', '--dry-run', '--project'];

const MOVE_SECRETS = '--move-secrets';

/**
 * Only protect takes --move-secrets; only unprotect reads the keychain (`keychain`: the
 * secrets it moved, put back in a file restored byte for byte). Both injectable so tests
 * need no keychain.
 */
function createEditCommand(
  run: typeof protectClients, deps: ClientCommandDeps | (() => ClientCommandDeps), openSecrets?: (env: NodeJS.ProcessEnv) => SecretsSession, keychain?: () => SecretStore,
): CommandHandler {
  return async (args, io) => {
    const moveSecrets = openSecrets !== undefined && args.includes(MOVE_SECRETS);
    const parsed = parseClientArgs(moveSecrets ? args.filter((a) => a !== MOVE_SECRETS) : args, FLAGS);
    const resolved = typeof deps === 'function' ? deps() : deps;
    const core = coreDeps(resolved, io, parsed);
    const session = moveSecrets ? openSecrets(io.env) : undefined;
    try {
      const moveSecret = session
        ? (server: string, name: string, value: string) => session.secrets.adopt({ server, name }, value, 'protect')
        : undefined;
      // The keychain store loads nothing until asked: a file without moved secrets never needs it.
      const store = keychain?.();
      const readSecret = store ? (server: string, name: string) => store.get({ server, name }) : undefined;
      const report = await run({ ...core, ...(moveSecret ? { moveSecret } : {}), ...(readSecret ? { readSecret } : {}) }, {
        dryRun: parsed.dryRun,
        ...(parsed.client ? { client: parsed.client } : {}),
      });
      io.stdout(parsed.json ? JSON.stringify(report, null, 2) + '\n' : editText(report));
      if (run === unprotectClients && report.entries.some((e) => e.outcome === 'restored') && autoProtectUndoes(io.env)) {
        io.stderr(`warning: ${AUTO_PROTECT_UNDOES_UNPROTECT}\n`);
      }
      return report.errors.length > 0 ? 1 : 0;
    } finally {
      session?.close();
    }
  };
}

/** A running engine with auto-protect on would route what unprotect just restored again. */
function autoProtectUndoes(env: NodeJS.ProcessEnv): boolean {
  if (!readControlInfo(env)) return false;
  const database = dataPaths(resolveDataDir(env)).database;
  if (!existsSync(database)) return false;
  const db = openReadOnly(database);
  try {
    return autoProtectOn(db);
  } finally {
    db.close();
  }
}

export const createProtectCommand = (deps: ClientCommandDeps | (() => ClientCommandDeps), openSecrets: (env: NodeJS.ProcessEnv) => SecretsSession = openSecretsSession) =>
  createEditCommand(protectClients, deps, openSecrets);
export const createUnprotectCommand = (deps: ClientCommandDeps | (() => ClientCommandDeps), keychain: () => SecretStore = () => createKeytarStore()) =>
  createEditCommand(unprotectClients, deps, undefined, keychain);

export const protectCommand: CommandHandler = createProtectCommand(defaultClientDeps);
export const unprotectCommand: CommandHandler = createUnprotectCommand(defaultClientDeps);
