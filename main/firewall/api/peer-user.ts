import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { endianness } from 'node:os';

// 127.0.0.1 is open to every account on the machine; the engine's port is for this user's
// clients only (the shims' socket is 0600, and /mcp/NAME carries no token a client config
// could hold). On Linux the kernel says who owns the other end of a loopback connection:
// /proc/net/tcp (and tcp6) lists each socket with its owner's uid.

type ReadTable = (file: '/proc/net/tcp' | '/proc/net/tcp6') => string;

const readProc: ReadTable = (file) => readFileSync(file, 'utf8');

/** The 4 or 16 bytes of an address Node reports; null for one that is not loopback. */
function loopbackBytes(address: string): number[] | null {
  if (isIPv4(address)) return address.startsWith('127.') ? address.split('.').map(Number) : null;
  if (!isIPv6(address)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return loopbackBytes(mapped[1]!) && [...new Array<number>(10).fill(0), 0xff, 0xff, ...mapped[1]!.split('.').map(Number)];
  return address === '::1' ? [...new Array<number>(15).fill(0), 1] : null;
}

/**
 * An address and port as /proc/net/tcp{,6} writes them: the address in 32-bit words, each
 * printed as the host reads it (so byte-reversed on little-endian machines), the port big-endian.
 */
function procAddress(bytes: number[], port: number): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes.slice(i, i + 4);
    if (endianness() === 'LE') word.reverse();
    hex += word.map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return `${hex.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What the kernel's table says of a loopback connection; `unusable`: it cannot be read. */
type PeerLookup =
  | { table: 'unusable' }
  | {
      table: 'read';
      /** The uid owning the client end, when the table lists it. */
      uid?: number;
      /** Whether the table lists our own end of this connection: one that does not is of no use here. */
      ownEndListed: boolean;
    };

/** null for a connection whose addresses are not both loopback (or are gone). */
function lookUpPeer(socket: Socket, readTable: ReadTable): PeerLookup | null {
  if (!socket.remoteAddress || !socket.localAddress || !socket.remotePort || !socket.localPort) return null;
  const remote = loopbackBytes(socket.remoteAddress);
  const local = loopbackBytes(socket.localAddress);
  if (!remote || !local || remote.length !== local.length) return null;
  let table: string;
  try {
    table = readTable(remote.length === 4 ? '/proc/net/tcp' : '/proc/net/tcp6');
  } catch {
    return { table: 'unusable' };
  }
  const client = procAddress(remote, socket.remotePort);
  const server = procAddress(local, socket.localPort);
  const found: PeerLookup = { table: 'read', ownEndListed: false };
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === server && fields[2] === client) found.ownEndListed = true;
    if (fields[1] === client && fields[2] === server) {
      const uid = Number(fields[7]);
      if (Number.isInteger(uid)) found.uid = uid;
    }
  }
  return found;
}

/**
 * The uid owning the client end of a loopback connection to us, or undefined where it cannot
 * be told: not Linux, /proc unreadable, an address that is not loopback, the entry not found.
 * Found by the connection's actual addresses: a client may bind any of 127.0.0.0/8 (any
 * account can bind 127.0.0.2), and over IPv6 it is ::1 or ::ffff:127.x in /proc/net/tcp6.
 */
export function loopbackPeerUid(socket: Socket, readTable: ReadTable = readProc): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const peer = lookUpPeer(socket, readTable);
  return peer?.table === 'read' ? peer.uid : undefined;
}

/**
 * Whether the connection is to be refused as not this user's: another account's process is on
 * the other end, or, on Linux, a peer the kernel's table does not place although it lists our
 * end of the connection, or one whose address is not loopback. Unknown fails closed there:
 * taken as before, a client bound to 127.0.0.2 (whose entry the lookup for 127.0.0.1 never
 * found) came in from any account. Where the table cannot tell at all — not Linux, /proc not
 * mounted or unreadable, or an emulated /proc/net/tcp that does not list even our own end —
 * no client can bring that about (our end is listed while we hold the socket), the token and
 * the Host/Origin checks are what stand, and refusing would shut out every client.
 */
export function fromAnotherUser(socket: Socket, readTable: ReadTable = readProc): boolean {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function') return false;
  const peer = lookUpPeer(socket, readTable);
  if (!peer) return true;
  if (peer.table === 'unusable' || !peer.ownEndListed) return false;
  return peer.uid !== process.getuid();
}
