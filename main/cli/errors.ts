import { dataPaths, resolveDataDir } from '../firewall/paths.js';

/**
 * The one line a failed command ends with. Node's own wording for the two ways a data dir
 * goes bad (a file where a directory should be, a database SQLite cannot read) names
 * neither the path nor the fix; everything else is said as it was thrown.
 */
export function failureText(error: unknown, env: NodeJS.ProcessEnv): string {
  const e = error as NodeJS.ErrnoException & { errcode?: number };
  const dir = resolveDataDir(env);
  if (e?.syscall === 'mkdir' && (e.code === 'EEXIST' || e.code === 'ENOTDIR')) {
    const what = e.code === 'EEXIST' ? `${e.path ?? dir} is a file` : `a part of ${e.path ?? dir} is a file`;
    return `the data dir ${dir} cannot be created: ${what}, not a directory. Point MCP_FIREWALL_HOME at a directory.`;
  }
  if (e?.syscall === 'mkdir' && (e.code === 'EACCES' || e.code === 'EPERM')) {
    return `the data dir ${dir} cannot be created: permission denied on ${e.path ?? dir}. Point MCP_FIREWALL_HOME at a directory you can write.`;
  }
  // SQLITE_NOTADB (26): the file is there but is not an SQLite database. It is left as it is.
  if (e?.code === 'ERR_SQLITE_ERROR' && e.errcode === 26) {
    return `${dataPaths(dir).database} is not an SQLite database (damaged, or not ours); nothing was changed. Move it aside to start a new one.`;
  }
  // SQLITE_CORRUPT (11): an SQLite database with damaged pages (a truncated copy, a disk
  // fault). Started afresh, the audit trail would be lost; what can be read may be saved.
  if (e?.code === 'ERR_SQLITE_ERROR' && e.errcode !== undefined && (e.errcode & 0xff) === 11) {
    const file = dataPaths(dir).database;
    return `${file} is damaged (SQLite: ${e.message}); nothing was changed. Keep a copy of it, then save what can be read with \`sqlite3 ${file} .recover\`, or move it aside to start a new one.`;
  }
  return (e as Error)?.message ?? String(error);
}
