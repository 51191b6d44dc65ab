import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A shim session's id: `ses_` and 8 random bytes, base64url. */
export function newSessionId(): string {
  return `ses_${randomBytes(8).toString('base64url')}`;
}

// From /dev/urandom where there is one: node:crypto would cost the shim ~1 MB of RSS for
// these 8 bytes (see ../jsonrpc/sha256.ts). Windows has no such device, and there the path
// means C:\dev\urandom, a file anyone may create: node:crypto. Elsewhere, only a character
// device counts, not a file put in its place.
function randomBytes(size: number): Buffer {
  if (process.platform !== 'win32') {
    try {
      const fd = openSync('/dev/urandom', 'r');
      try {
        const bytes = Buffer.alloc(size);
        if (fstatSync(fd).isCharacterDevice() && readSync(fd, bytes, 0, size, null) === size) return bytes;
      } finally {
        closeSync(fd);
      }
    } catch {
      // No device or no access: the portable way below.
    }
  }
  return process.getBuiltinModule('node:crypto').randomBytes(size);
}
