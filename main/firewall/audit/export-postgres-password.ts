import type pg from 'pg';

/**
 * The passwords a client used, for cutting out of anything printed. Returns a reader to
 * call when a message is written, not before connecting: pg takes the URL's password and
 * PGPASSWORD when the client is made, but the password file (~/.pgpass, or PGPASSFILE)
 * only once the server asks for a password — and then keeps it on the client.
 */
export function passwordsUsedBy(client: pg.Client): () => string[] {
  const whenMade = passwordOf(client);
  return () => [...new Set([whenMade, passwordOf(client)])].filter((password) => password !== undefined);
}

function passwordOf(client: pg.Client): string | undefined {
  // Typed as a string, but pg also takes a function there (a password callback).
  const password: unknown = client.password;
  return typeof password === 'string' && password.length > 0 ? password : undefined;
}
