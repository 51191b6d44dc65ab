import { createKeytarStore } from '../../firewall/identity/keytar-store.js';
import type { SecretStore } from '../../firewall/identity/secret-store.js';
import { SecretInputError, type Secrets } from '../../firewall/identity/secrets.js';
import { openSecretsSession } from '../../firewall/identity/secrets-session.js';
import { expectOnly, parseArgs } from '../args.js';
import { UsageError, type CliIo, type CommandHandler } from '../command.js';
import { formatTable } from './output.js';

export const secretsUsage = 'mcp-firewall secrets set SERVER NAME [--value-stdin] | list [SERVER] [--json] | rm SERVER NAME';

/** For scripts: the value of `secrets set` when --value-stdin is not given. */
export const SECRET_VALUE_ENV = 'MCP_FIREWALL_SECRET_VALUE';

export interface SecretsCommandDeps {
  store: () => SecretStore;
  readStdin: () => Promise<string>;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeStdin(Buffer.concat(chunks));
}

/** Bytes that are not UTF-8 would be stored as U+FFFD, a different secret: refuse them. */
export function decodeStdin(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SecretInputError('the secret value on stdin is not valid UTF-8');
  }
}

const defaultDeps: SecretsCommandDeps = { store: () => createKeytarStore(), readStdin: readProcessStdin };

// Never from argv: every local user can read another's command line in `ps`.
async function readValue(parsed: ReturnType<typeof parseArgs>, io: CliIo, deps: SecretsCommandDeps): Promise<string> {
  if (parsed.flags.has('value-stdin')) {
    // `echo` and here-docs add one newline that is not part of the secret.
    return (await deps.readStdin()).replace(/\r?\n$/, '');
  }
  const fromEnv = io.env[SECRET_VALUE_ENV];
  if (fromEnv !== undefined) return fromEnv;
  throw new UsageError(`give the value on stdin with --value-stdin, or in $${SECRET_VALUE_ENV}; never as an argument\nusage: ${secretsUsage}`);
}

async function run(secrets: Secrets, parsed: ReturnType<typeof parseArgs>, io: CliIo, deps: SecretsCommandDeps): Promise<number> {
  const [verb, server, name] = parsed.positional;
  if (verb === 'list') {
    const listing = await secrets.list(server);
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(listing, null, 2)}\n`);
    else io.stdout(formatTable(['server', 'name', 'state', 'updatedAt'], listing.entries as unknown as Array<Record<string, unknown>>));
    if (listing.keychainError) io.stderr(`warning: ${listing.keychainError}; showing the index only\n`);
    return 0;
  }
  if (!server || !name) throw new UsageError(`usage: ${secretsUsage}`);
  if (verb === 'set') {
    const value = await readValue(parsed, io, deps);
    await secrets.set({ server, name }, value, 'cli');
    // A remote server (pinned to a URL) gets only AUTHORIZATION and AUTHORIZATION_READ, as a header.
    const remote = /^AUTHORIZATION(_READ)?$/.test(name) ? '; a remote server gets it as its Authorization header' : '';
    io.stdout(`${server}: secret ${name} stored in the OS keychain; a local server gets it in its environment at its next start${remote}\n`);
    return 0;
  }
  if (verb === 'rm') {
    const removed = await secrets.remove({ server, name }, 'cli');
    io.stdout(removed ? `${server}: secret ${name} removed\n` : `${server}: no secret named ${name}\n`);
    return removed ? 0 : 1;
  }
  throw new UsageError(`usage: ${secretsUsage}`);
}

export function createSecretsCommand(deps: SecretsCommandDeps = defaultDeps): CommandHandler {
  return async (args, io) => {
    const parsed = parseArgs(args, ['json', 'value-stdin']);
    expectOnly(parsed, ['json', 'value-stdin'], 3, secretsUsage);
    const session = openSecretsSession(io.env, deps.store());
    try {
      return await run(session.secrets, parsed, io, deps);
    } catch (error) {
      if (error instanceof SecretInputError) throw new UsageError(error.message);
      throw error;
    } finally {
      session.close();
    }
  };
}

export const secretsCommand: CommandHandler = createSecretsCommand();
