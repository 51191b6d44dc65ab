// Bad input gets a clear error and loses nothing: a usage error (exit 2) names what is
// wrong before anything is called, written or opened — engine or no engine.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type CliIo, type CommandHandler } from '../../../main/cli/command.js';
import { approvalsCommand } from '../../../main/cli/commands/approvals.js';
import { auditCommand } from '../../../main/cli/commands/audit.js';
import { createAuthCommand } from '../../../main/cli/commands/auth.js';
import { containCommand } from '../../../main/cli/commands/contain.js';
import { createDashboardCommand } from '../../../main/cli/commands/dashboard.js';
import { gatesCommand } from '../../../main/cli/commands/gates.js';
import { manifestCheckCommand } from '../../../main/cli/commands/manifest-check.js';
import { pauseCommand, resumeCommand } from '../../../main/cli/commands/pause.js';
import { pinsCommand } from '../../../main/cli/commands/pins.js';
import { policyCommand } from '../../../main/cli/commands/policy.js';
import { quarantineCommand } from '../../../main/cli/commands/quarantine.js';
import { registryCommand } from '../../../main/cli/commands/registry.js';
import { createSecretsCommand } from '../../../main/cli/commands/secrets.js';
import { serveCommand } from '../../../main/cli/commands/serve.js';
import { watchCommand } from '../../../main/cli/commands/watch.js';
import { readControlInfo } from '../../../main/cli/control-client.js';
import { failureText } from '../../../main/cli/errors.js';
import { AUTO_PROTECT_KEY } from '../../../main/firewall/client-watch.js';
import { createMemorySecretStore } from '../../../main/firewall/identity/memory-store.js';
import { dataPaths } from '../../../main/firewall/paths.js';
import { getSetting, openDatabase } from '../../../main/firewall/store/database.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-bad-input-'));
  dirs.push(dir);
  return dir;
}

function io(dataDir: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { MCP_FIREWALL_HOME: dataDir }, cwd: dataDir, out: () => out, err: () => err };
}

/** The handler throws a UsageError (exit 2) whose message matches. */
async function usageError(command: CommandHandler, args: string[], message: RegExp, dataDir = home()): Promise<void> {
  const error = await command(args, io(dataDir)).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(message);
}

function withDatabase(): string {
  const dir = home();
  openDatabase(join(dir, 'firewall.db')).close();
  return dir;
}

describe('bad input to the CLI', () => {
  it('refuses unknown options and surplus arguments instead of ignoring them', async () => {
    // No engine runs: each would otherwise end in "not running", or run as if the typo were not there.
    await usageError(serveCommand, ['--polciy', 'strict.yaml', '--port', 'abc'], /^unknown option --polciy\nusage: mcp-firewall serve/);
    await usageError(approvalsCommand, ['allow', 'A1', '--scop', 'always'], /^unknown option --scop\n/);
    await usageError(policyCommand, ['emergency', 'on', 'now'], /^unexpected argument 'now'\n/);
    await usageError(quarantineCommand, ['list', '--bogus'], /^unknown option --bogus\n/);
    await usageError(pinsCommand, ['accept', 'github', 'extra'], /^unexpected argument 'extra'\n/);
    await usageError(pinsCommand, ['accept', 'github', '--tool', 'list_issues'], /^pins accept needs --digest, the version `mcp-firewall pins diff github --tool …` prints/);
    await usageError(gatesCommand, ['--bogus'], /^unknown option --bogus\n/, withDatabase());
    await usageError(auditCommand, ['query', 'SELECT 1', 'extra'], /^unexpected argument 'extra'\n/, withDatabase());
    await usageError(manifestCheckCommand, ['check', 'tools.json', '--bogus'], /^unknown option --bogus\n/);
    await usageError(containCommand, ['github', 'extra'], /^usage: mcp-firewall contain SERVER/);
    await usageError(createDashboardCommand(async () => undefined), ['logout-all', '--force'], /^unknown option --force\nusage: mcp-firewall dashboard/);
    await usageError(resumeCommand, ['now'], /^unexpected argument 'now'\n/);
    await usageError(pauseCommand, ['5', 'extra'], /^unexpected argument 'extra'\n/);
    await usageError(registryCommand, ['list', '--bogus'], /^unknown option --bogus\n/);
    await usageError(registryCommand, ['enable', 'github', 'extra'], /^unexpected argument 'extra'\n/);
    await usageError(registryCommand, ['approve', 'github', '--replace', '--url', 'https://example.com/mcp'], /^--replace is for local launch lines/);
    const secrets = createSecretsCommand({ store: () => createMemorySecretStore(), readStdin: async () => 'value' });
    await usageError(secrets, ['set', 'github', 'GITHUB_TOKEN', 'ghp_value_typed_as_an_argument', '--value-stdin'], /^unexpected argument 'ghp_value_typed_as_an_argument'\n/);
  });

  it('leaves the auto-protect setting alone when watch gets a surplus argument', async () => {
    const dir = withDatabase();
    await usageError(watchCommand, ['auto-protect', 'on', 'extra'], /^usage: mcp-firewall watch/, dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    expect(getSetting(db, AUTO_PROTECT_KEY)).toBeNull();
    db.close();
  });

  it('never opens a deploy window on a bad --minutes (it used to open one for 60 minutes)', async () => {
    for (const minutes of ['abc', '-5', '0', '', '99999999']) {
      await usageError(pinsCommand, ['window', 'open', 'CHG-1', '--minutes', minutes], /^--minutes must be a number from 1 to 1440, not '/);
    }
  });

  it('says what is wrong with a pause length before asking the engine', async () => {
    await usageError(pauseCommand, ['abc'], /^MINUTES must be a number from 1 to 1440, not 'abc'\nusage: /);
    await usageError(pauseCommand, ['99999'], /^MINUTES must be a number from 1 to 1440, not '99999'/);
  });

  it('rejects an empty --port rather than starting on a random one', async () => {
    // The data dir is a file, so a start that got past the check would fail rather than listen.
    const file = join(home(), 'not-a-dir');
    writeFileSync(file, 'x');
    await usageError(serveCommand, ['--port='], /^--port must be a port number, got ''/, file);
  });

  it('reports a bad --timeout as a usage error, not as a registry problem', async () => {
    const auth = createAuthCommand({ store: () => createMemorySecretStore(), interactive: () => false, openBrowser: () => undefined });
    await usageError(auth, ['login', 'not-registered', '--timeout', 'abc'], /^--timeout takes a number of seconds, not 'abc'/);
  });

  it('gives the audit usage for a missing or unknown verb even before there is a trail', async () => {
    await usageError(auditCommand, [], /^usage: mcp-firewall audit/);
    await usageError(auditCommand, ['bogus'], /^usage: mcp-firewall audit/);
  });

  it('refuses audit export --out DIR, naming the directory, and writes nothing into it', async () => {
    const dir = withDatabase();
    const target = join(dir, 'exports');
    mkdirSync(target);
    await usageError(auditCommand, ['export', '--out', target], new RegExp(`^--out ${target} is a directory: give a file name, e.g. --out ${target}/audit.jsonl`), dir);
    expect(readdirSync(target)).toEqual([]);
  });

  it('says there are no dashboard sessions to end when no engine runs (they live in its memory)', async () => {
    const dir = home();
    const cli = io(dir);
    expect(await createDashboardCommand(async () => undefined)(['logout-all'], cli)).toBe(0);
    expect(cli.out()).toBe(`MCP Firewall is not running for ${dir}: there are no dashboard sessions.\n`);
  });

  it('treats a control.json without a usable port as no engine, never as port "undefined"', async () => {
    for (const content of ['null', '{}', '{"port":"abc"}', '{"port":99999}']) {
      const dir = home();
      writeFileSync(join(dir, 'control.json'), content);
      writeFileSync(join(dir, 'control-token'), 'token');
      expect(readControlInfo({ MCP_FIREWALL_HOME: dir })).toBeNull();
      const cli = io(dir);
      expect(await createDashboardCommand(async () => undefined)(['--print-url'], cli)).toBe(1);
      expect(cli.out()).toBe('');
      expect(cli.err()).toMatch(/^MCP Firewall is not running for /);
    }
  });

  it('will not start a second engine beside a running one whose control.json is damaged', async () => {
    const dir = home();
    const paths = dataPaths(dir);
    const running = createServer();
    await new Promise<void>((resolve) => running.listen(paths.socket, resolve));
    try {
      writeFileSync(paths.controlFile, '{"port": 4');
      writeFileSync(paths.tokenFile, 'the-running-engines-token\n');
      const cli = io(dir);
      expect(await serveCommand(['--port', '0'], cli)).toBe(1);
      expect(cli.err()).toMatch(/^MCP Firewall is already running for .*control\.json is missing or damaged: stop that engine, then start again\.\n$/);
      expect(readFileSync(paths.tokenFile, 'utf8')).toBe('the-running-engines-token\n');
      expect(readFileSync(paths.controlFile, 'utf8')).toBe('{"port": 4');
    } finally {
      running.close();
    }
  });

  it('names the data dir when it is a file, and the database when it is not SQLite', async () => {
    const file = join(home(), 'not-a-dir');
    writeFileSync(file, 'x');
    for (const [dataDir, what] of [[file, `${file} is a file`], [join(file, 'sub'), `a part of ${join(file, 'sub')} is a file`]] as const) {
      const error = await watchCommand(['auto-protect', 'status'], io(dataDir)).then(() => null, (e: unknown) => e);
      expect(failureText(error, { MCP_FIREWALL_HOME: dataDir })).toBe(`the data dir ${dataDir} cannot be created: ${what}, not a directory. Point MCP_FIREWALL_HOME at a directory.`);
    }
    const dir = home();
    writeFileSync(join(dir, 'firewall.db'), 'garbage\n');
    const error = await watchCommand(['auto-protect', 'status'], io(dir)).then(() => null, (e: unknown) => e);
    expect(failureText(error, { MCP_FIREWALL_HOME: dir })).toMatch(new RegExp(`^${join(dir, 'firewall.db')} is not an SQLite database .*nothing was changed`));
  });
});
