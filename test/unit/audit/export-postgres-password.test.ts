import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportToPostgres } from '../../../main/firewall/audit/export-postgres.js';
import { PostgresExportError } from '../../../main/firewall/audit/export-postgres-errors.js';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// A server that asks for a cleartext password and refuses it with an error quoting it back:
// the worst a server, a pooler or a driver could do with it. Whichever way pg found the
// password, our one line must not repeat it.
function echoingServer(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((socket) => answerWithEcho(socket, received));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, received })));
}

function answerWithEcho(socket: Socket, received: string[]): void {
  let buffer = Buffer.alloc(0);
  let startedUp = false;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!startedUp) {
      // The startup message has no type byte: length, then its body.
      if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
      buffer = buffer.subarray(buffer.readInt32BE(0));
      startedUp = true;
      socket.write(message('R', int32(3))); // AuthenticationCleartextPassword
    }
    if (buffer.length < 5 || buffer[0] !== 'p'.charCodeAt(0) || buffer.length < 1 + buffer.readInt32BE(1)) return;
    const password = buffer.subarray(5, buffer.readInt32BE(1)).toString('utf8');
    buffer = Buffer.alloc(0);
    received.push(password);
    const fields = [['S', 'FATAL'], ['C', '28P01'], ['M', `password authentication failed: "${password}" is not it`]];
    socket.end(message('E', Buffer.concat([...fields.map(([code, text]) => Buffer.from(`${code}${text}\0`)), Buffer.from('\0')])));
  });
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);

const PASSWORD = 'hunter2-from-elsewhere';
const PG_ENV = ['PGPASSWORD', 'PGPASSFILE', 'PGUSER', 'PGSSLMODE'] as const;

describe('Postgres export: the password pg used is never printed, wherever it came from', () => {
  let dir: string;
  let databaseFile: string;
  let fake: Awaited<ReturnType<typeof echoingServer>>;
  const savedEnv: Partial<Record<(typeof PG_ENV)[number], string>> = {};

  beforeEach(async () => {
    for (const name of PG_ENV) {
      savedEnv[name] = process.env[name];
      delete process.env[name];
    }
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-pgpass-'));
    // Never the developer's own ~/.pgpass.
    process.env.PGPASSFILE = join(dir, 'no-such-pgpass');
    databaseFile = join(dir, 'firewall.db');
    const db = openDatabase(databaseFile);
    createAuditLog(db).append({ event: 'registry', decision: 'APPROVED', serverName: 'files', actorId: 'cli' });
    db.close();
    fake = await echoingServer();
  });
  afterEach(async () => {
    await new Promise((resolve) => fake.server.close(resolve));
    for (const name of PG_ENV) {
      if (savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = savedEnv[name];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function failureOf(url: string): Promise<string> {
    const error = await exportToPostgres({ databaseFile, url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresExportError);
    // Not vacuous: the server really got the password and really quoted it back.
    expect(fake.received).toEqual([PASSWORD]);
    return (error as PostgresExportError).message;
  }

  it('from the URL', async () => {
    const text = await failureOf(`postgres://auditor:${PASSWORD}@127.0.0.1:${fake.port}/warehouse`);
    expect(text).toContain('password authentication failed: "***" is not it');
    expect(text).not.toContain(PASSWORD);
  });

  it('from PGPASSWORD', async () => {
    process.env.PGPASSWORD = PASSWORD;
    const text = await failureOf(`postgres://auditor@127.0.0.1:${fake.port}/warehouse`);
    expect(text).toContain('"***" is not it');
    expect(text).not.toContain(PASSWORD);
  });

  it('from the password file (~/.pgpass, or PGPASSFILE), which pg reads only once the server asks', async () => {
    process.env.PGPASSFILE = join(dir, 'pgpass');
    writeFileSync(process.env.PGPASSFILE, `127.0.0.1:${fake.port}:warehouse:auditor:${PASSWORD}\n`, { mode: 0o600 });
    const text = await failureOf(`postgres://auditor@127.0.0.1:${fake.port}/warehouse`);
    expect(text).toContain('"***" is not it');
    expect(text).not.toContain(PASSWORD);
  });
});
