import type { PeerWriter } from '../../main/firewall/proxy/peer-writer.js';

/** A PeerWriter that keeps what it was given, for unit tests of what reaches a peer and when. */
export function recordingWriter(): PeerWriter & { sent: string[]; ended: boolean } {
  const writer = {
    sent: [] as string[],
    ended: false,
    open: true,
    send(line: Buffer | string) {
      writer.sent.push(String(line));
      return true;
    },
    onDrain: () => {},
    batchThisTick: () => {},
    end: () => void (writer.ended = true),
  };
  return writer;
}
