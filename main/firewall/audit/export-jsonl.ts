import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeAll } from '../clients/file-io.js';
import { openReadOnly } from '../store/database.js';
import { readAuditRows, type RowRange } from './export-rows.js';

/**
 * The trail as JSON lines, one chunk per page of rows, with the page's row count. The
 * database is open only while the chunks are read, and closed however the reader stops.
 */
function* jsonlPages(databaseFile: string, range: RowRange): Generator<{ chunk: string; rows: number }> {
  const db = openReadOnly(databaseFile);
  try {
    for (const page of readAuditRows(db, range)) {
      yield { chunk: page.map((row) => `${JSON.stringify(row)}\n`).join(''), rows: page.length };
    }
  } finally {
    db.close();
  }
}

/**
 * Writes one JSON object per audit row, in id order, to `write`; returns the row count.
 * Keys follow EXPORT_COLUMNS, so the hash chain can be checked from the file alone.
 */
export function exportJsonl(databaseFile: string, range: RowRange, write: (chunk: string) => void): number {
  let rows = 0;
  for (const page of jsonlPages(databaseFile, range)) {
    write(page.chunk);
    rows += page.rows;
  }
  return rows;
}

/**
 * `--out FILE`: the rows go to a private temporary file beside it, which replaces FILE only
 * once it is complete and on disk. A reader (or a shipper tailing the directory) never sees
 * half an export, and a failed or stopped export leaves the previous FILE as it was and no
 * temporary file: it holds audit rows. 0600 because the trail names every server, tool and
 * session on this machine. `stop` (Ctrl-C, SIGTERM) is looked at between pages.
 */
export async function exportJsonlToFile(databaseFile: string, range: RowRange, file: string, stop?: AbortSignal): Promise<number> {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  let closed = false;
  try {
    let rows = 0;
    for (const page of jsonlPages(databaseFile, range)) {
      writeAll(fd, Buffer.from(page.chunk, 'utf8'));
      rows += page.rows;
      // A turn of the event loop per page, so a signal handler can run during a long export.
      await new Promise((resolve) => setImmediate(resolve));
      stop?.throwIfAborted();
    }
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(temporary, file);
    return rows;
  } catch (error) {
    if (!closed) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
}
