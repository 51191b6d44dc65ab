import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loopbackPeerUid } from '../../../main/firewall/api/peer-user.js';

// As /proc/net/tcp has it: the listener on 7337 (0x1CA9), a client of uid 1001 on port
// 51234 (0xC822), the server's end of that connection (uid of the engine, 1000).
const TABLE = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1CA9 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 11 1 0 100 0 0 10 0',
  '   1: 0100007F:C822 0100007F:1CA9 01 00000000:00000000 00:00000000 00000000  1001        0 12 1 0 20 4 30 10 -1',
  '   2: 0100007F:1CA9 0100007F:C822 01 00000000:00000000 00:00000000 00000000  1000        0 13 1 0 20 4 30 10 -1',
].join('\n');

const socket = (remotePort: number, localPort = 7337, remoteAddress = '127.0.0.1') => ({ remoteAddress, remotePort, localPort }) as unknown as Socket;

describe('who is on the other end of a loopback connection (Linux)', () => {
  it.runIf(process.platform === 'linux')('reads the client end\'s owner from the kernel\'s table, not the server end\'s', () => {
    expect(loopbackPeerUid(socket(51234), () => TABLE)).toBe(1001);
  });

  it.runIf(process.platform === 'linux')('cannot tell (and so does not refuse) when the entry or the table is missing', () => {
    expect(loopbackPeerUid(socket(40000), () => TABLE)).toBeUndefined();
    expect(loopbackPeerUid(socket(51234), () => {
      throw new Error('EACCES');
    })).toBeUndefined();
    expect(loopbackPeerUid(socket(51234, 7337, '::1'), () => TABLE)).toBeUndefined();
  });
});
