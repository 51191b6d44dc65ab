import { getIn, isRecord } from './entry-shape.js';
import type { FormatEditor } from './formats/editor.js';
import { findSecrets } from './secrets.js';
import type { ConfigFileSpec, DiscoveredServer, KeyPath } from './types.js';
import { isReservedSecretName } from '../identity/secret-store.js';

// `protect --move-secrets`: a plaintext token in a client config is readable by every
// process running as the user (and by every tool that can read files). Moved into the
// keychain, the shim hands it to the server at spawn and the client file holds nothing.

/** Stores one secret for a server; the keychain in production. */
export type MoveSecret = (server: string, name: string, value: string) => Promise<void>;

export interface SecretMove {
  /** The registry name the shim is launched with (`wrap --server NAME`). */
  server: string;
  name: string;
  value: string;
  path: KeyPath;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The env entries (and a remote entry's Authorization header) that the scan flags as plaintext secrets. */
export function planSecretMoves(server: DiscoveredServer, spec: ConfigFileSpec): SecretMove[] {
  const { findings, values } = findSecrets(server, spec);
  // Older Zed nests env under the command object.
  const envMaps: KeyPath[] = [...spec.shape.envKeys.map((k) => [k]), ['command', 'env']];
  const moves: SecretMove[] = [];
  findings.forEach((f, i) => {
    const value = values[i];
    if (value === undefined) return;
    if (f.where === 'header' && server.url !== undefined && f.name.toLowerCase() === 'authorization') {
      // A routed remote entry: the interposer never forwards the client's Authorization,
      // it sends the keychain's AUTHORIZATION of the server instead, verbatim.
      const at = spec.shape.headerPaths.find((p) => getIn(server.raw, [...p, f.name]) === value);
      if (at && !moves.some((m) => m.name === 'AUTHORIZATION')) moves.push({ server: server.name, name: 'AUTHORIZATION', value, path: [...server.path, ...at, f.name] });
      return;
    }
    // A start-up variable (NODE_OPTIONS, LD_PRELOAD …) stays where it is: the keychain refuses
    // such names (secret-store.ts), and refusing one would fail the whole file's protect.
    if (f.where !== 'env' || !ENV_NAME.test(f.name) || isReservedSecretName(f.name)) return;
    const at = envMaps.find((p) => {
      const map = getIn(server.raw, p);
      return isRecord(map) && map[f.name] === value;
    });
    if (at && !moves.some((m) => m.name === f.name)) moves.push({ server: server.name, name: f.name, value, path: [...server.path, ...at, f.name] });
  });
  return moves;
}

/** Our output must really have lost every moved value, or the file is not written. */
export function verifyMoved(editor: FormatEditor, text: string, moves: SecretMove[]): void {
  const doc = editor.parse(text);
  for (const m of moves) {
    if (getIn(doc, m.path) !== undefined) throw new Error(`could not remove secret ${m.name} of '${m.server}' from the file; file left untouched`);
  }
}

export function movedDetail(moves: SecretMove[], dryRun: boolean): string {
  return `${dryRun ? 'would move' : 'moved'} ${moves.length} secret(s) to the OS keychain: ${moves.map((m) => m.name).join(', ')}`;
}
