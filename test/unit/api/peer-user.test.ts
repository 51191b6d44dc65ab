import { spawn } from 'node:child_process';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fromAnotherUser, loopbackPeerUid } from '../../../main/firewall/api/peer-user.js';

// As /proc/net/tcp has it: the listener on 7337 (0x1CA9), a client of uid 1001 on port
// 51234 (0xC822), the server's end of that connection (uid of the engine, 1000).
const TABLE = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1CA9 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 11 1 0 100 0 0 10 0',
  '   1: 0100007F:C822 0100007F:1CA9 01 00000000:00000000 00:00000000 00000000  1001        0 12 1 0 20 4 30 10 -1',
  '   2: 0100007F:1CA9 0100007F:C822 01 00000000:00000000 00:00000000 00000000  1000        0 13 1 0 20 4 30 10 -1',
].join('\n');

// /proc/net/tcp6 on a little-endian machine: a client of uid 1002 on ::1 port 51234, and one
// of uid 1003 on ::ffff:127.0.0.1 port 51235 (0xC823), both to port 7337.
const TABLE6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000001000000:C822 00000000000000000000000001000000:1CA9 01 00000000:00000000 00:00000000 00000000  1002        0 14 1 0 20 4 30 10 -1',
  '   1: 0000000000000000FFFF00000100007F:C823 0000000000000000FFFF00000100007F:1CA9 01 00000000:00000000 00:00000000 00000000  1003        0 15 1 0 20 4 30 10 -1',
].join('\n');

const socket = (remotePort: number, localPort = 7337, remoteAddress = '127.0.0.1', localAddress = remoteAddress) =>
  ({ remoteAddress, remotePort, localAddress, localPort }) as unknown as Socket;
const tables = (file: string) => (file.endsWith('6') ? TABLE6 : TABLE);

/** The server's end of a real loopback connection made from `from`. */
async function acceptedFrom(from: string): Promise<{ socket: Socket; close: () => void }> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const client = createConnection({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, localAddress: from });
  const socket = await accepted;
  return { socket, close: () => (client.destroy(), socket.destroy(), server.close()) };
}

describe('who is on the other end of a loopback connection (Linux)', () => {
  it.runIf(process.platform === 'linux')('reads the client end\'s owner from the kernel\'s table, not the server end\'s', () => {
    expect(loopbackPeerUid(socket(51234), tables)).toBe(1001);
  });

  it.runIf(process.platform === 'linux')('finds a client bound to 127.0.0.2 by its actual address, and lets this user\'s own in', async () => {
    const conn = await acceptedFrom('127.0.0.2');
    try {
      expect(conn.socket.remoteAddress).toBe('127.0.0.2');
      expect(loopbackPeerUid(conn.socket)).toBe(process.getuid!());
      expect(fromAnotherUser(conn.socket)).toBe(false);
    } finally {
      conn.close();
    }
  });

  // Needs root to start the other account's client; the fake tables above cover the rest.
  it.runIf(process.platform === 'linux' && process.getuid?.() === 0)('refuses another account\'s client bound to 127.0.0.2', async () => {
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const port = (server.address() as AddressInfo).port;
    const script = `require('net').createConnection({ host: '127.0.0.1', port: ${port}, localAddress: '127.0.0.2' }); setTimeout(() => {}, 5000)`;
    const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, stdio: 'ignore' });
    try {
      const socket = await accepted;
      expect(socket.remoteAddress).toBe('127.0.0.2');
      expect(loopbackPeerUid(socket)).toBe(65534);
      expect(fromAnotherUser(socket)).toBe(true);
      socket.destroy();
    } finally {
      child.kill();
      server.close();
    }
  });

  it.runIf(process.platform === 'linux')('reads IPv6 loopback peers (::1 and ::ffff:127.x) from /proc/net/tcp6', () => {
    expect(loopbackPeerUid(socket(51234, 7337, '::1'), tables)).toBe(1002);
    expect(loopbackPeerUid(socket(51235, 7337, '::ffff:127.0.0.1'), tables)).toBe(1003);
  });

  it.runIf(process.platform === 'linux')('refuses a peer it cannot place while the table lists our end, and one not on loopback', () => {
    // Our end of a connection from port 40000 (0x9C40), but no client end for it.
    const ours = `${TABLE}\n   3: 0100007F:1CA9 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 16 1 0 20 4 30 10 -1`;
    expect(loopbackPeerUid(socket(40000), () => ours)).toBeUndefined();
    expect(fromAnotherUser(socket(40000), () => ours)).toBe(true);
    expect(fromAnotherUser(socket(51234, 7337, '10.0.0.5', '127.0.0.1'), tables)).toBe(true);
  });

  it.runIf(process.platform === 'linux')('leaves it to the token where the table cannot tell: unreadable, or not listing even our end', () => {
    const unreadable = () => {
      throw new Error('EACCES');
    };
    expect(loopbackPeerUid(socket(51234), unreadable)).toBeUndefined();
    expect(fromAnotherUser(socket(51234), unreadable)).toBe(false);
    const hollow = () => TABLE.split('\n')[0]!;
    expect(fromAnotherUser(socket(51234), hollow)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('refuses a peer the table gives to another account', () => {
    expect(fromAnotherUser(socket(51234), tables)).toBe(process.getuid!() !== 1001);
  });
});
