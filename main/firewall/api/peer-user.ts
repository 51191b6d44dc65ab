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

/**
 * The uid owning the client end of a loopback connection to us, or undefined where it cannot
 * be told: not Linux, /proc unreadable, an address that is not loopback, the entry not found.
 * Found by the connection's actual addresses: a client may bind any of 127.0.0.0/8 (any
 * account can bind 127.0.0.2), and over IPv6 it is ::1 or ::ffff:127.x in /proc/net/tcp6.
 */
export function loopbackPeerUid(socket: Socket, readTable: ReadTable = readProc): number | undefined {
  if (process.platform !== 'linux' || !socket.remoteAddress || !socket.localAddress || !socket.remotePort || !socket.localPort) return undefined;
  const remote = loopbackBytes(socket.remoteAddress);
  const local = loopbackBytes(socket.localAddress);
  if (!remote || !local || remote.length !== local.length) return undefined;
  let table: string;
  try {
    table = readTable(remote.length === 4 ? '/proc/net/tcp' : '/proc/net/tcp6');
  } catch {
    return undefined;
  }
  const client = procAddress(remote, socket.remotePort);
  const server = procAddress(local, socket.localPort);
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === client && fields[2] === server) {
      const uid = Number(fields[7]);
      return Number.isInteger(uid) ? uid : undefined;
    }
  }
  return undefined;
}

/**
 * Whether the connection is to be refused as not this user's: another account's process is on
 * the other end, or, on Linux, the kernel's table does not say whose it is. Unknown fails
 * closed there: taking it as before let a client bound to 127.0.0.2 (whose entry the lookup
 * for 127.0.0.1 never found) in from any account. Elsewhere no such table exists, and the
 * token and the Host/Origin checks are what stand.
 */
export function fromAnotherUser(socket: Socket, readTable: ReadTable = readProc): boolean {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function') return false;
  return loopbackPeerUid(socket, readTable) !== process.getuid();
}
