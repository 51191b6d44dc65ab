import type pg from 'pg';
import pgpass from 'pgpass';

/**
 * Looks a password up in ~/.pgpass (or PGPASSFILE) when the URL and PGPASSWORD give none.
 * pg 8 does this itself but prints a deprecation warning on every run, and pg 9 drops it;
 * its replacement is a password callback, which is this. pg calls it only when the server
 * asks for a password, and keeps what it returns on the client (the redaction reads it there).
 */
export function usePasswordFile(client: pg.Client): void {
  if (typeof client.password === 'string' && client.password.length > 0) return;
  const lookUp = (params: pg.ConnectionConfig) =>
    new Promise<string | undefined>((resolve) => pgpass({ host: params.host ?? null, port: params.port ?? null, database: params.database ?? null, user: params.user ?? null }, resolve));
  (client as unknown as { password: typeof lookUp }).password = lookUp;
}
