import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { exportToPostgres } from '../../main/firewall/audit/export-postgres.js';
import { PostgresExportError } from '../../main/firewall/audit/export-postgres-errors.js';
import { verifyAuditChain } from '../../main/firewall/audit/audit-log.js';
import { openReadOnly } from '../../main/firewall/store/database.js';
import { makeHome, removeHome, startEngine, settled, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

// The seed's "Detect write actions executed without approval", copied verbatim: security
// teams run exactly this in their warehouse, so it must work on the exported table as is.
const SEED_GATE_QUERY =
  "SELECT event_time, actor_id, server_name, tool_name, decision, approval_id FROM mcp_audit WHERE action_class = 'write' AND decision = 'ALLOW' AND (approval_id IS NULL OR approval_id = '') AND event_time >= NOW() - INTERVAL '10 minutes' ORDER BY event_time DESC;";

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
// Writes are allowed without approval unless a rule says otherwise: what the gate looks for.
const POLICY = `version: v1
rules:
  - id: ask-before-create
    match:
      labels:
        mcp.tool: "create_*"
    decision: REQUIRE_APPROVAL
  - id: locked-records
    match:
      labels:
        mcp.tool: "update_locked*"
    decision: DENY
`;

const BASE_URL = process.env.MCPFW_PG_URL;
const PASSWORD = BASE_URL ? decodeURIComponent(new URL(BASE_URL).password) : '';

interface SqliteRow {
  [column: string]: string | number | null;
}

function urlFor(database: string, change: (url: URL) => void = () => {}): string {
  const url = new URL(BASE_URL!);
  url.pathname = `/${database}`;
  change(url);
  return url.toString();
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function sqliteRows(home: string, where = '1 = 1'): SqliteRow[] {
  const db = new DatabaseSync(join(home, 'firewall.db'), { readOnly: true });
  try {
    return db.prepare(`SELECT * FROM mcp_audit WHERE ${where} ORDER BY id`).all() as SqliteRow[];
  } finally {
    db.close();
  }
}

function sentCount(stdout: string): number {
  const match = /^sent (\d+) audit rows? to /m.exec(stdout);
  if (!match) throw new Error(`no "sent N audit rows" line in: ${stdout}`);
  return Number(match[1]);
}

describe('audit export --postgres, against a real Postgres', () => {
  let engine: RunningEngine;
  let conn: ShimConnection;
  let url: string;
  const database = `mcpfw_export_${process.pid}`;
  const exportCli = (...args: string[]) => engine.cli(['audit', 'export', ...args]);
  /** Exports into `table`, empties it so the next export sends every row again, and runs `body` before each insert. */
  const emptiedTableWithTrigger = async (table: string, trigger: string, body: string) => {
    expect(exportCli('--postgres', url, '--table', table).code).toBe(0);
    await withPg(url, async (client) => {
      await client.query(`DELETE FROM ${table}`);
      await client.query(`CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} END $$`);
      await client.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
    });
  };

  beforeAll(async () => {
    if (!BASE_URL) throw new Error('MCPFW_PG_URL is not set: run these tests with `npm run test:postgres`');
    await withPg(BASE_URL, (client) => client.query(`CREATE DATABASE ${database}`));
    url = urlFor(database);
    engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY], { client: 'claude-code' });
    await conn.client.listTools();
    // Four calls that the seed's gate must tell apart: a read, an unapproved write, a
    // denied write and an approved write. The fixture server has no write tools; it
    // answers them with an error, which still proves they were dispatched.
    await conn.client.callTool({ name: 'read_text', arguments: { text: 'hello' } });
    await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 1 } }));
    await settled(conn.client.callTool({ name: 'update_locked_record', arguments: { id: 2 } }));
    const approved = settled(conn.client.callTool({ name: 'create_issue', arguments: { title: 't' } }));
    const pending = await waitFor(async () => ((await engine.api('GET', '/approvals')).body as Array<{ id: string }>)[0], 'a pending create_issue');
    await engine.api('POST', `/approvals/${pending.id}/allow`, { scope: 'once' });
    await approved;
  });
  afterAll(async () => {
    await conn?.close();
    await engine?.stop();
    if (engine) removeHome(engine.home);
    if (BASE_URL) await withPg(BASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });

  it("creates the table, sends every row, and the seed's gate query finds exactly the unapproved write", async () => {
    const result = exportCli('--postgres', url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = sentCount(result.stdout);

    await withPg(url, async (client) => {
      const exported = (await client.query('SELECT * FROM mcp_audit ORDER BY id')).rows as Array<Record<string, unknown>>;
      expect(exported).toHaveLength(sent);
      // Every row arrives whole, column for column, including the hash chain.
      const local = sqliteRows(engine.home, `id <= ${Number(exported[exported.length - 1]!.id)}`);
      expect(exported.map(({ chain_id: _chain, event_time, id, ...rest }) => ({ ...rest, id: Number(id), event_time: (event_time as Date).toISOString() }))).toEqual(local);
      expect(new Set(exported.map((r) => r.chain_id))).toEqual(new Set([local[0]!.row_hash]));

      const types = (await client.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'mcp_audit'")).rows as Array<{ column_name: string; data_type: string }>;
      expect(Object.fromEntries(types.map((t) => [t.column_name, t.data_type]))).toMatchObject({
        event_time: 'timestamp with time zone', id: 'bigint', latency_ms: 'double precision', actor_id: 'text', approval_id: 'text', action_class: 'text',
      });

      const unapproved = sqliteRows(engine.home, "event = 'call' AND tool_name = 'update_record'");
      expect(unapproved).toHaveLength(1);
      const gate = (await client.query(SEED_GATE_QUERY)).rows as Array<Record<string, unknown>>;
      expect(gate).toEqual([
        {
          event_time: new Date(String(unapproved[0]!.event_time)),
          actor_id: unapproved[0]!.actor_id,
          server_name: 'faulty',
          tool_name: 'update_record',
          decision: 'ALLOW',
          approval_id: null,
        },
      ]);
      // The approved write is there too, with its approval: the gate rightly leaves it out.
      const approvedWrite = (await client.query("SELECT decision, approval_id FROM mcp_audit WHERE event = 'call' AND tool_name = 'create_issue' AND decision = 'ALLOW'")).rows as Array<{ approval_id: string }>;
      expect(approvedWrite).toEqual([{ decision: 'ALLOW', approval_id: expect.stringMatching(/^apr_/) }]);
    });
  });

  it('sends only the rows not yet exported on a re-run, and never a duplicate', async () => {
    const before = await withPg(url, async (client) => Number((await client.query('SELECT COUNT(*) AS n FROM mcp_audit')).rows[0].n));
    await conn.client.callTool({ name: 'read_text', arguments: { text: 'one more' } });
    await settled(conn.client.callTool({ name: 'update_record', arguments: { id: 3 } }));
    const again = exportCli('--postgres', url, '--json');
    expect(again.code).toBe(0);
    const { sent, alreadyThere } = JSON.parse(again.stdout) as { sent: number; alreadyThere: number };
    // Not resent-and-ignored: the rows already in the table were never offered again.
    expect(alreadyThere).toBe(0);
    expect(sent).toBeGreaterThanOrEqual(4); // two calls and two results at least
    await withPg(url, async (client) => {
      const { rows } = await client.query('SELECT COUNT(*)::int AS n, COUNT(DISTINCT row_hash)::int AS distinct_rows, MAX(id)::int AS last FROM mcp_audit');
      // Ids 1..last, each once: nothing skipped, nothing doubled.
      expect(rows[0]).toEqual({ n: before + sent, distinct_rows: before + sent, last: before + sent });
      expect(sqliteRows(engine.home, `id <= ${before + sent}`)).toHaveLength(before + sent);
      expect((await client.query(SEED_GATE_QUERY)).rows.map((r: { tool_name: string }) => r.tool_name)).toEqual(['update_record', 'update_record']);
    });
    // Nothing new since: nothing sent, nothing doubled.
    await engine.stop();
    const idle = exportCli('--postgres', url);
    expect(idle.code).toBe(0);
    const total = sqliteRows(engine.home).length;
    const exported = await withPg(url, async (client) => Number((await client.query('SELECT COUNT(*) AS n FROM mcp_audit')).rows[0].n));
    expect(exported).toBe(total);
    expect(sentCount(idle.stdout)).toBe(total - before - sent);
    expect(sentCount(exportCli('--postgres', url).stdout)).toBe(0);
  });

  it("keeps another machine's trail apart in the same table, though its row ids repeat ours", async () => {
    const other = makeHome();
    try {
      const env = { ...process.env, MCP_FIREWALL_HOME: other };
      expect(spawnSync(process.execPath, [CLI, 'registry', 'approve', 'elsewhere'], { env, encoding: 'utf8' }).status).toBe(0);
      const result = spawnSync(process.execPath, [CLI, 'audit', 'export', '--postgres', url], { env, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(sentCount(result.stdout)).toBe(sqliteRows(other).length);
      await withPg(url, async (client) => {
        const { rows } = await client.query("SELECT COUNT(DISTINCT chain_id)::int AS trails FROM mcp_audit WHERE id = 1");
        expect(rows[0].trails).toBe(2);
        const { rows: mine } = await client.query("SELECT COUNT(*)::int AS n FROM mcp_audit WHERE server_name = 'elsewhere'");
        expect(mine[0].n).toBe(sqliteRows(other, "server_name = 'elsewhere'").length);
      });
    } finally {
      removeHome(other);
    }
  });

  it('rolls back a failing batch without counting it as exported, and a re-run sends exactly the rest', async () => {
    const table = 'partial_audit';
    // An emptied table is refilled from scratch: what counts as exported is what the table holds.
    await emptiedTableWithTrigger(table, 'refuse_row_5', "IF NEW.id = 5 THEN RAISE EXCEPTION 'refusing row 5 for the test'; END IF; RETURN NEW;");
    const databaseFile = join(engine.home, 'firewall.db');
    const failure = await exportToPostgres({ databaseFile, url, table, batchSize: 2 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresExportError);
    expect((failure as PostgresExportError).sent).toBe(4);
    expect((failure as PostgresExportError).message).toMatch(/refusing row 5.*4 rows were committed before it/);
    expect((failure as PostgresExportError).message).not.toContain(PASSWORD);
    const ids = await withPg(url, async (client) => (await client.query(`SELECT id::int FROM ${table} ORDER BY id`)).rows.map((r: { id: number }) => r.id));
    expect(ids).toEqual([1, 2, 3, 4]);

    await withPg(url, (client) => client.query(`DROP TRIGGER refuse_row_5 ON ${table}`));
    const total = sqliteRows(engine.home).length;
    const rest = await exportToPostgres({ databaseFile, url, table, batchSize: 2 });
    expect(rest).toMatchObject({ sent: total - 4, alreadyThere: 0 });
    const after = await withPg(url, async (client) => (await client.query(`SELECT COUNT(*)::int AS n, COUNT(DISTINCT id)::int AS ids FROM ${table}`)).rows[0]);
    expect(after).toEqual({ n: total, ids: total });
  });

  it('refuses to send more once the trail no longer holds what it sent: a tail cut with its high-water mark, or a row rewritten', async () => {
    /** A copy of the trail to tamper with, exported on its own into `table`; its last id. */
    const exportedCopy = async (name: string): Promise<{ file: string; last: number }> => {
      const file = join(engine.home, `${name}.db`);
      const source = new DatabaseSync(join(engine.home, 'firewall.db'));
      source.exec(`VACUUM INTO '${file}'`);
      source.close();
      await exportToPostgres({ databaseFile: file, url, table: name });
      const db = new DatabaseSync(file);
      const { last } = db.prepare('SELECT MAX(id) AS last FROM mcp_audit').get() as { last: number };
      db.close();
      return { file, last };
    };
    const tamper = (file: string, sql: string) => {
      const db = new DatabaseSync(file);
      db.exec(sql);
      db.close();
    };

    const cut = await exportedCopy('cut_audit');
    tamper(cut.file, `DELETE FROM mcp_audit WHERE id > ${cut.last - 2}; UPDATE sqlite_sequence SET seq = ${cut.last - 2} WHERE name = 'mcp_audit'`);
    const readOnly = openReadOnly(cut.file);
    // What the file alone cannot show.
    expect(verifyAuditChain(readOnly).ok).toBe(true);
    readOnly.close();
    const cutFailure = await exportToPostgres({ databaseFile: cut.file, url, table: 'cut_audit' }).catch((error: unknown) => error);
    expect(cutFailure).toBeInstanceOf(PostgresExportError);
    expect((cutFailure as PostgresExportError).message).toContain(`the local audit trail no longer holds row ${cut.last}, which an earlier export sent to cut_audit`);

    const edited = await exportedCopy('edited_audit');
    tamper(edited.file, `UPDATE mcp_audit SET decision = 'DENY', row_hash = 'forged' WHERE id = ${edited.last}`);
    const editFailure = await exportToPostgres({ databaseFile: edited.file, url, table: 'edited_audit' }).catch((error: unknown) => error);
    expect((editFailure as PostgresExportError).message).toContain(`holds another version of row ${edited.last}`);
    // Nothing more was sent over the evidence.
    const kept = await withPg(url, async (client) => (await client.query("SELECT decision FROM edited_audit WHERE id = $1", [edited.last])).rows[0] as { decision: string });
    expect(kept.decision).not.toBe('DENY');
  });

  it('refuses a table whose shape the rows would not fit, and leaves it alone', async () => {
    await withPg(url, (client) => client.query('CREATE TABLE odd_audit (id integer PRIMARY KEY, event_time text, note text NOT NULL)'));
    const result = exportCli('--postgres', url, '--table', 'odd_audit');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/table odd_audit does not fit the audit rows: .*column event_time is text, expected timestamp with time zone/);
    expect(result.stderr).toMatch(/column decision is missing/);
    expect(result.stderr).toMatch(/column note is NOT NULL without a default/);
    expect(result.stderr).toMatch(/no unique key on \(chain_id, id\)/);
    const rows = await withPg(url, async (client) => (await client.query('SELECT COUNT(*)::int AS n FROM odd_audit')).rows[0].n);
    expect(rows).toBe(0);
  });

  it('names a wrong password in one line, exits 1, and prints no password', () => {
    const wrong = urlFor(database, (u) => (u.password = 'not-the-password-42'));
    const result = exportCli('--postgres', wrong);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^audit export: Postgres at mcpfw@127\.0\.0\.1:\d+\/mcpfw_export_\d+: password authentication failed/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('not-the-password-42');
    expect(result.stderr).not.toContain(PASSWORD);
  });

  describe('with the password kept out of the URL', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mcpfw-pgpass-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const bareUrl = () => urlFor(database, (u) => (u.password = ''));
    // pg takes PGPASSWORD when the client is made, the password file only once the server asks.
    const passwordSources = (): Array<[string, NodeJS.ProcessEnv]> => {
      const pgpass = join(dir, 'pgpass');
      writeFileSync(pgpass, `*:*:*:*:${PASSWORD.replace(/[\\:]/g, '\\$&')}\n`, { mode: 0o600 });
      return [
        ['PGPASSWORD', { PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'none') }],
        ['~/.pgpass', { PGPASSWORD: undefined, PGPASSFILE: pgpass }],
      ];
    };
    const exportWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'audit', 'export', '--postgres', bareUrl(), ...args], { env: { ...engine.env, ...env }, encoding: 'utf8' });

    it('connects with the password from PGPASSWORD or ~/.pgpass', () => {
      for (const [source, env] of passwordSources()) {
        const result = exportWith(env, '--table', 'bare_url_audit');
        expect(result.status, `${source}: ${result.stderr}`).toBe(0);
        expect(result.stdout, source).toMatch(/^sent \d+ audit rows? to bare_url_audit at mcpfw@127\.0\.0\.1:\d+\//);
        expect(result.stderr, source).not.toContain(PASSWORD);
        // We read ~/.pgpass ourselves: pg's own reader is deprecated and warns on every run.
        expect(result.stderr, source).not.toMatch(/Warning/);
      }
    });

    it('never prints that password, even when the server quotes it back', async () => {
      const table = 'quoting_audit';
      // Every row the export sends is refused with the password in the error.
      await emptiedTableWithTrigger(table, 'quote_password', `RAISE EXCEPTION 'refused, you sent %', '${PASSWORD.replace(/'/g, "''")}';`);
      for (const [source, env] of passwordSources()) {
        const result = exportWith(env, '--table', table);
        expect(result.status, source).toBe(1);
        expect(result.stderr, source).toMatch(/^audit export: Postgres at .* said: refused, you sent \*\*\* \(SQLSTATE P0001\)\n$/m);
        expect(result.stderr, source).not.toContain(PASSWORD);
      }
    });

    it('says where a missing password goes', () => {
      const result = exportWith({ PGPASSWORD: undefined, PGPASSFILE: join(dir, 'none') });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/asks for a password and none was given: set PGPASSWORD or add a line to ~\/\.pgpass\n$/);
    });
  });

  it('names an unreachable server in one line and exits 1', async () => {
    const port = await freePort();
    const result = exportCli('--postgres', urlFor(database, (u) => (u.port = String(port))));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`audit export: cannot reach Postgres at mcpfw@127.0.0.1:${port}/${database}: connection refused (is Postgres running and listening on that host and port?)\n`);
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('names a malformed URL without repeating it', () => {
    for (const bad of [`postgres://mcpfw:${encodeURIComponent(PASSWORD)}@127.0.0.1:notaport/db`, 'mysql://mcpfw:secret@127.0.0.1/db']) {
      const result = exportCli('--postgres', bad);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^audit export: bad Postgres URL.*expected postgres:\/\/USER@HOST:PORT\/DATABASE\n$/);
      expect(result.stderr).not.toContain(PASSWORD);
      expect(result.stderr).not.toContain('secret');
    }
  });
});
