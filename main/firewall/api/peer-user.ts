import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

// 127.0.0.1 is open to every account on the machine; the engine's port is for this user's
// clients only (the shims' socket is 0600, and /mcp/NAME carries no token a client config
// could hold). On Linux the kernel says who owns the other end of a loopback connection:
// /proc/net/tcp lists each socket with its owner's uid.

/** `127.0.0.1:port` as /proc/net/tcp writes it (little-endian address, big-endian port). */
const procAddress = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The uid owning the client end of a loopback connection to us, or undefined where it cannot
 * be told (not Linux, /proc unreadable, the entry not found): then the connection is taken as
 * before — the token and the Host/Origin checks still apply.
 */
export function loopbackPeerUid(socket: Socket, readTable: () => string = () => readFileSync('/proc/net/tcp', 'utf8')): number | undefined {
  if (process.platform !== 'linux' || socket.remoteAddress !== '127.0.0.1' || !socket.remotePort || !socket.localPort) return undefined;
  let table: string;
  try {
    table = readTable();
  } catch {
    return undefined;
  }
  const client = procAddress(socket.remotePort);
  const server = procAddress(socket.localPort);
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === client && fields[2] === server) {
      const uid = Number(fields[7]);
      return Number.isInteger(uid) ? uid : undefined;
    }
  }
  return undefined;
}

/** Whether another account's process is on the other end (known to be, not merely unknown). */
export function fromAnotherUser(socket: Socket): boolean {
  const uid = loopbackPeerUid(socket);
  return uid !== undefined && typeof process.getuid === 'function' && uid !== process.getuid();
}
