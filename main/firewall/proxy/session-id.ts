import { closeSync, openSync, readSync } from 'node:fs';

/** A shim session's id: `ses_` and 8 random bytes, base64url. */
export function newSessionId(): string {
  return `ses_${randomBytes(8).toString('base64url')}`;
}

// From /dev/urandom where there is one: node:crypto would cost the shim ~1 MB of RSS for
// these 8 bytes (see ../jsonrpc/sha256.ts). Windows has no such device; there, node:crypto.
function randomBytes(size: number): Buffer {
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      const bytes = Buffer.alloc(size);
      if (readSync(fd, bytes, 0, size, null) === size) return bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    // No device (Windows) or no access: the portable way below.
  }
  return process.getBuiltinModule('node:crypto').randomBytes(size);
}
