import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeAll } from '../clients/file-io.js';
import { openReadOnly } from '../store/database.js';
import { readAuditRows, type RowRange } from './export-rows.js';

/**
 * Writes one JSON object per audit row, in id order, to `write`; returns the row count.
 * Keys follow EXPORT_COLUMNS, so the hash chain can be checked from the file alone.
 */
export function exportJsonl(databaseFile: string, range: RowRange, write: (chunk: string) => void): number {
  const db = openReadOnly(databaseFile);
  try {
    let rows = 0;
    for (const page of readAuditRows(db, range)) {
      write(page.map((row) => `${JSON.stringify(row)}\n`).join(''));
      rows += page.length;
    }
    return rows;
  } finally {
    db.close();
  }
}

/**
 * `--out FILE`: the rows go to a private temporary file beside it, which replaces FILE only
 * once it is complete and on disk. A reader (or a shipper tailing the directory) never sees
 * half an export, and a failed export leaves the previous FILE as it was. 0600 because the
 * trail names every server, tool and session on this machine.
 */
export function exportJsonlToFile(databaseFile: string, range: RowRange, file: string): number {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  let closed = false;
  try {
    const rows = exportJsonl(databaseFile, range, (chunk) => writeAll(fd, Buffer.from(chunk, 'utf8')));
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
