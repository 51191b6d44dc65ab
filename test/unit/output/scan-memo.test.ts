import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detect, isCleanLine } from '../../../main/firewall/output/index.js';

// The heap is looked at after a full collection; gc() is reached without --expose-gc this way.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const filler = (tag: string) => `${tag} ${'lorem ipsum, dolor sit amet '.repeat((24 * MB) / 28)}`;
const line = (items: string[]) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: items.map((text) => ({ type: 'text', text })) } });

/** Bytes of heap still held, after a full collection, once `scan` ran over a text built by `build` and both were let go. */
function retainedAfter(build: () => string, scan: (text: string) => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  (() => {
    const text = build();
    scan(text);
  })();
  // RegExp.input (`$_`) holds the subject of the last regex that matched: a small match replaces it, as the next message would.
  /y/.exec('y');
  gc();
  return process.memoryUsage().heapUsed - before;
}

describe('what the detectors keep once a scan is over', () => {
  // Each case reaches one memo a rule or probe keeps about the text it scans.
  const cases: Array<[string, () => string, (text: string) => unknown]> = [
    ['a PEM header without its end line', () => `-----BEGIN RSA PRIVATE KEY-----\n${filler('pem')}`, detect],
    ['a PuTTY key header', () => `PuTTY-User-Key-File-2: ssh-rsa\n${filler('putty')}`, detect],
    ['a Kubernetes Secret', () => `kind: Secret\ndata:\n  password: cGFzc3dvcmQ=\n${filler('k8s')}`, detect],
    ['digits around an en dash (the phone-word look)', () => `from 2019\u20132023 ${filler('phone')}`, detect],
    ['a raw line of two text items (the split-items look)', () => line(['first item', filler('split')]), isCleanLine],
  ];
  for (const [name, build, scan] of cases) {
    it(`lets go of a 24 MB text holding ${name}`, () => {
      expect(retainedAfter(build, scan)).toBeLessThan(8 * MB);
    });
  }
});
