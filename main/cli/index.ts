import { UsageError, type CliIo, type CommandHandler } from './command.js';
import { failureText } from './errors.js';
import { relaunchWithShimFlags } from './shim-node-flags.js';

// node:sqlite still announces itself as experimental on Node 22; that line on stderr
// would land in every MCP client's server log, so only that one warning is dropped.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/SQLite is an experimental feature/i.test(text)) return;
  return (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const USAGE = `mcp-firewall — a firewall between your AI tools and their MCP servers

usage:
  mcp-firewall serve [--port N] [--policy FILE]        run the engine headless
  mcp-firewall wrap --server NAME [--client ID] -- CMD ARGS...
                                                       the stdio shim client configs launch
  mcp-firewall registry list [--json] | approve NAME [--replace | --url URL [--sse]] | disable NAME | enable NAME
                                                       --url: a remote server, reached at /mcp/NAME
                                                       --replace: the line approved now is the only one
  mcp-firewall approvals list | show ID | allow ID [--scope once|session|always] | deny ID
                                                       show: every character of the arguments, nothing cut
  mcp-firewall policy check FILE | show | emergency on|off|status
  mcp-firewall audit query "SQL" [--json] | verify
  mcp-firewall audit export [--since 10m|ISO] [--out FILE]    the trail as JSONL (hash chain included)
  mcp-firewall audit export --postgres URL [--table NAME]    copy new rows to Postgres; the seed's SQL runs there
  mcp-firewall scan [--json] [--client ID] [--project DIR]  every server in every client config
  mcp-firewall protect [--client ID] [--dry-run]       route client configs through the firewall
  mcp-firewall unprotect [--client ID]                 restore them byte for byte
  mcp-firewall manifest check FILE [--json]            vet a saved tools/list for poisoning
  mcp-firewall dashboard [--print-url] | logout-all    open the dashboard of the running engine;
                                                       logout-all ends every browser session of it
  mcp-firewall secrets set SERVER NAME [--value-stdin] | list [SERVER] [--json] | rm SERVER NAME
                                                       a server's secrets in the OS keychain
  mcp-firewall auth login SERVER [--scope S] [--open|--no-open] [--timeout SECONDS] | status SERVER [--json] | logout SERVER
                                                       OAuth for a remote server: tokens into the keychain, refreshed as they expire
  mcp-firewall pins list | diff SERVER | accept SERVER [--tool T] --digest D | window open TICKET | window close
  mcp-firewall classify [FILE|-] [--json]              run the secret, PII and injection detectors on text
  mcp-firewall quarantine list | show ID [--raw] | release ID | drop ID
  mcp-firewall gates [--json]                          the five detection gates; exit 3 when one pages
  mcp-firewall watch auto-protect on|off|status        re-protect entries that appear unprotected
  mcp-firewall pause [MINUTES] | resume                routine asks go through for a while (audited)
  mcp-firewall contain SERVER                          disable it, revoke its tokens, force write approval

Data dir: $MCP_FIREWALL_HOME, else the OS app-data dir.
`;

// Each command loads its own chunk: `wrap` starts without the YAML parser, SQLite or HTTP server.
const COMMANDS: Record<string, () => Promise<CommandHandler>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  registry: async () => (await import('./commands/registry.js')).registryCommand,
  approvals: async () => (await import('./commands/approvals.js')).approvalsCommand,
  policy: async () => (await import('./commands/policy.js')).policyCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
  scan: async () => (await import('./commands/clients.js')).scanCommand,
  protect: async () => (await import('./commands/clients.js')).protectCommand,
  unprotect: async () => (await import('./commands/clients.js')).unprotectCommand,
  manifest: async () => (await import('./commands/manifest-check.js')).manifestCheckCommand,
  dashboard: async () => (await import('./commands/dashboard.js')).dashboardCommand,
  secrets: async () => (await import('./commands/secrets.js')).secretsCommand,
  auth: async () => (await import('./commands/auth.js')).authCommand,
  pins: async () => (await import('./commands/pins.js')).pinsCommand,
  classify: async () => (await import('./commands/classify.js')).classifyCommand,
  quarantine: async () => (await import('./commands/quarantine.js')).quarantineCommand,
  gates: async () => (await import('./commands/gates.js')).gatesCommand,
  watch: async () => (await import('./commands/watch.js')).watchCommand,
  pause: async () => (await import('./commands/pause.js')).pauseCommand,
  contain: async () => (await import('./commands/contain.js')).containCommand,
  resume: async () => (await import('./commands/pause.js')).resumeCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'wrap') {
    relaunchWithShimFlags();
    const { runWrap } = await import('./commands/wrap.js');
    return runWrap(args);
  }
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return (await load())(args, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Servers, sockets and timers may still hold the loop; the command's work is done.
    if (process.argv[2] !== 'serve') process.stdout.write('', () => process.exit(code));
    else process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`mcp-firewall: ${failureText(error, process.env)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
