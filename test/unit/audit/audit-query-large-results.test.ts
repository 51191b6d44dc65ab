import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../../main/cli/commands/audit.js';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { lineSplitter, MAX_QUERY_ROWS, QUERY_CHILD, runReadOnlyQueryIsolated } from '../../../main/firewall/audit/audit-query-isolated.js';
import { openDatabase, openReadOnly } from '../../../main/firewall/store/database.js';

// `SELECT * FROM mcp_audit` over a big trail, or a cross join, must not exhaust the query
// child's memory (nor the engine's): the child streams, and the caller stops it at its limits
// with a message that says what to do, never handing back part of a result as the whole.

/** `count` rows of about `width` characters each, made up by SQLite: no table that big is needed. */
const generated = (count: number, width = 1) =>
  `WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x LIMIT ${count}) SELECT n, printf('%.${width}c', 'x') AS pad FROM x`;

/** What the child writes for `sql`, run with a V8 heap of `heapMb`: its exit code and the last line it wrote. */
function childUnderHeapLimit(file: string, sql: string, heapMb: number): Promise<{ code: number | null; bytes: number; lastLine: string }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--no-warnings', '-e', QUERY_CHILD], { stdio: ['pipe', 'pipe', 'ignore'] });
  let bytes = 0;
  let tail = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    bytes += chunk.length;
    tail = (tail + chunk).slice(-200);
  });
  child.stdin.end(JSON.stringify({ file, sql, timeoutMs: 60_000 }));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, bytes, lastLine: tail.trimEnd().split('\n').pop() ?? '' })));
}

describe('audit SQL with a big result', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-query-big-'));
    file = join(dir, 'firewall.db');
    const db = openDatabase(file);
    const audit = createAuditLog(db);
    audit.append({ event: 'registry', decision: 'APPROVED', serverName: 'github', reason: 'test' });
    audit.append({ event: 'call', decision: 'DENY', serverName: 'fs', toolName: 'write_file', latencyMs: 1.5, reason: 'line\nbreak, "quotes", \u00e9\u{1F600}' });
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a result many times the child’s heap to the end, holding a chunk of it at a time', async () => {
    // 500,000 rows, ~110 MB of answer, through a 32 MB heap: gathered first, they took more than that.
    const answer = await childUnderHeapLimit(file, generated(500_000, 200), 32);
    expect(answer.code).toBe(0);
    expect(answer.bytes).toBeGreaterThan(100_000_000);
    expect(answer.lastLine).toBe('{"done":true}');
  }, 120_000); // heavy, not timed: ~3.5 s on a lightly loaded two-core box, 11-19 s on a busy one

  it('refuses a result of more rows than the limit, saying so, and stops the child there', async () => {
    const started = Date.now();
    await expect(runReadOnlyQueryIsolated(file, generated(50_000_000), { maxRows: 1000 }))
      .rejects.toThrow('the result has more than 1000 rows and was stopped there; add LIMIT (the whole trail: mcp-firewall audit export)');
    // Stopped at the limit, ~0.2 s; all 50,000,000 rows streamed first would take minutes
    // (the 1,000,001 of the next test take ~4 s).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it(`refuses by default a result of more than ${MAX_QUERY_ROWS} rows; \`audit query\` prints none of it and exits 1 with the reason`, async () => {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), env: { MCP_FIREWALL_HOME: dir }, cwd: dir };
    expect(await auditCommand(['query', generated(MAX_QUERY_ROWS + 1), '--json'], io)).toBe(1);
    expect({ out, err }).toEqual({ out: '', err: `audit query failed: the result has more than ${MAX_QUERY_ROWS} rows and was stopped there; add LIMIT (the whole trail: mcp-firewall audit export)\n` });
    // Counted in SQL, the same rows are one row of answer.
    const counted = await runReadOnlyQueryIsolated(file, `SELECT count(*) AS n FROM (${generated(MAX_QUERY_ROWS + 1)})`);
    expect(counted.rows).toEqual([{ n: MAX_QUERY_ROWS + 1 }]);
  }, 120_000); // heavy, not timed: ~4 s on a lightly loaded two-core box, 22-30 s and more on a busy one

  it('refuses a result larger than the byte limit, saying how far it got', async () => {
    await expect(runReadOnlyQueryIsolated(file, generated(1_000_000, 1000), { maxBytes: 1 << 20 }))
      .rejects.toThrow(/^the result is larger than 1 MiB and was stopped after \d+ rows; narrow the query \(LIMIT, fewer columns\)$/);
  });

  it('answers a result of exactly the limit whole', async () => {
    const result = await runReadOnlyQueryIsolated(file, generated(1000), { maxRows: 1000 });
    expect(result.columns).toEqual(['n', 'pad']);
    expect(result.rows).toHaveLength(1000);
    expect(result.rows.at(-1)).toEqual({ n: 1000, pad: 'x' });
  });

  it('answers the same columns and rows SQLite gives in-process, value for value', async () => {
    const sql = 'SELECT id, event, server_name, tool_name, latency_ms, reason, NULL AS none, x\'00ff\' AS bytes, 9007199254740991 AS big FROM mcp_audit ORDER BY id';
    const db = openReadOnly(file);
    const statement = db.prepare(sql);
    const expected = { columns: statement.columns().map((c) => c.name), rows: JSON.parse(JSON.stringify(statement.all())) as unknown[] };
    db.close();
    expect(await runReadOnlyQueryIsolated(file, sql)).toEqual(expected);
    expect(await runReadOnlyQueryIsolated(file, 'SELECT * FROM mcp_audit WHERE id < 0')).toMatchObject({ rows: [] });
  });

  it('reports an error SQLite raises after some rows, not the rows before it', async () => {
    // abs() of the smallest integer overflows: on the third row, after two were sent.
    const sql = 'SELECT abs(v) AS a FROM (SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT -9223372036854775808)';
    await expect(runReadOnlyQueryIsolated(file, sql)).rejects.toThrow(/integer overflow/);
  });
});

describe('reading the child’s lines', () => {
  const linesOf = (chunks: string[]) => {
    const lines: string[] = [];
    const push = lineSplitter((line) => lines.push(line));
    for (const chunk of chunks) push(chunk);
    return lines;
  };

  it('gives each complete line once, however the chunks cut them, and keeps an unfinished one', () => {
    expect(linesOf(['a\nb', 'c\n\nd', 'e', 'f\ng\n', 'h'])).toEqual(['a', 'bc', '', 'def', 'g']);
    expect(linesOf(['\n', 'x\n'])).toEqual(['', 'x']);
  });

  it('reads a line of 48 MB in 64 KB chunks in one pass, not one rescan of it per chunk', () => {
    // Splitting the unfinished line again with each chunk took ~15 s for this (9 s for a 32 MB
    // row through a real child); one pass takes well under a second. The bound is 20x that.
    const piece = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 768 }, () => piece);
    chunks.push('\nnext\n');
    const started = performance.now();
    const lines = linesOf(chunks);
    const elapsed = performance.now() - started;
    expect(lines.map((l) => l.length)).toEqual([48 << 20, 4]);
    expect(elapsed).toBeLessThan(5000);
  });
});
