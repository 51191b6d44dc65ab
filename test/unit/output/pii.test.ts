import { describe, expect, it } from 'vitest';
import { detect } from '../../../main/firewall/output/index.js';
import { timesSlower } from '../../helpers/relative-time.js';
import { found, types } from './helpers.js';

describe('PII detectors', () => {
  it('finds email addresses but not SSH remotes, scoped packages or retina image names', () => {
    expect(found('mail jane.doe+tag@example.org now')).toEqual([['email', 'jane.doe+tag@example.org']]);
    expect(types('git@github.com:acme/repo.git @types/node logo@2x.png')).toEqual([]);
  });

  it('finds credit card numbers only when the Luhn checksum and the issuer prefix hold', () => {
    expect(found('card 4111 1111 1111 1111 ok')).toEqual([['credit-card', '4111 1111 1111 1111']]);
    expect(found('amex 378282246310005')).toEqual([['credit-card', '378282246310005']]);
    expect(types('card 4111 1111 1111 1112')).toEqual([]); // Luhn fails
    expect(types('ts 1714567890123456')).toEqual([]); // timestamp-like, no issuer starts with 17
  });

  it('finds IBANs that pass mod-97 with the right length for their country', () => {
    expect(found('pay to DE89 3704 0044 0532 0130 00 today')).toEqual([['iban', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('GB82WEST12345698765432')).toEqual([['iban', 'GB82WEST12345698765432']]);
    expect(types('DE89 3704 0044 0532 0130 01')).toEqual([]);
  });

  it('finds US SSNs with a valid area, group and serial', () => {
    expect(found('ssn 123-45-6789')).toEqual([['us-ssn', '123-45-6789']]);
    for (const bad of ['000-12-3456', '666-12-3456', '923-12-3456', '123-00-4567', '123-45-0000']) expect(types(bad)).toEqual([]);
  });

  it('finds formatted phone numbers alone and loosely formatted ones only next to a phone word', () => {
    expect(found('call (555) 123-4567 or +44 20 7946 0958')).toEqual([
      ['phone', '(555) 123-4567'],
      ['phone', '+44 20 7946 0958'],
    ]);
    expect(found('Mobile: 0490 75 40 81')).toEqual([['phone', '0490 75 40 81']]);
    expect(types('rows 0490 75 40 81 processed')).toEqual([]);
    expect(types('at 2024-01-02 12:34:56 took 1234567 ms')).toEqual([]);
  });

  it('finds public IP addresses but not private ones, versions or clock times', () => {
    expect(found('from 8.8.4.4 and 2606:4700:4700::1111')).toEqual([
      ['ip-address', '8.8.4.4'],
      ['ip-address', '2606:4700:4700::1111'],
    ]);
    expect(types('10.0.0.1 192.168.1.20 127.0.0.1 version 1.2.3.4 v4.3.2.1 10:11:12 fe80::1 ::1')).toEqual([]);
  });

  it('leaves UUIDs, git SHAs and ordinary numbers alone', () => {
    expect(types('id 123e4567-e89b-12d3-a456-426614174000 sha 3f2a9c1e5b7d8f0a1c2e4b6d8f0a2c4e6b8d0f1a size 1048576')).toEqual([]);
  });
});

describe('PII of 16 MB', () => {
  // `(?:label\.)+` overflowed V8's regex stack on 8 MB or more and the result was withheld as unchecked.
  const labels = 'a.'.repeat(8 << 20);

  it('finds an address whose domain has millions of labels, and checks one with no TLD', () => {
    expect(detect(`jane@${labels}com`)).toMatchObject([{ type: 'email', start: 0, end: 5 + labels.length + 3 }]);
    expect(detect(`jane@${labels}`)).toEqual([]);
  });

  // Every `:` of `1:2:1:2:…` woke the IPv6 rule, which walked 40 chars back with a regex test
  // per char: 16 MB took ~5 s (9 s of `:`), the shim's only thread held all that time; now
  // ~0.5 s. Against the same text with `;` for `:` (which wakes no rule), measured on the same
  // machine: the lane hits alone make it 10-15x (at load 5-12), the old walk 63-84x.
  it('checks 16 MB of colon-separated hex at the cost of its lane hits, not a walk back from each, and still finds the address after it', () => {
    // Timed on 2 MB, before the 16 MB run leaves the heap full of garbage to collect.
    const run = (unit: string) => () => `${unit.repeat(1 << 19)} 2606:4700:4700::1111`;
    expect(timesSlower(detect, run('1:2:'), run('1;2;'))).toBeLessThan(32);
    expect(found(`${'1:2:'.repeat(4 << 20)} 2606:4700:4700::1111`)).toEqual([['ip-address', '2606:4700:4700::1111']]);
  });
});

describe('IPv6 next to hex-and-colon runs', () => {
  // The rule remembers its last walk back and the last start that held nothing (scan-memo.ts).
  it('finds an address after runs longer and shorter than an address, in one text and the next', () => {
    const text = `${':'.repeat(39)} ${'1:2:'.repeat(30)} 2606:4700:4700::1111 ${'ab:'.repeat(12)}`;
    for (let i = 0; i < 2; i++) expect(found(text)).toEqual([['ip-address', '2606:4700:4700::1111']]);
    expect(found('2a00:1450:4001:81c::200e')).toEqual([['ip-address', '2a00:1450:4001:81c::200e']]);
    expect(found(`x ${':'.repeat(39)} 2a00:1450:4001:81c::200e`)).toEqual([['ip-address', '2a00:1450:4001:81c::200e']]);
  });
});

describe('URL-encoded addresses in MB of `%40`', () => {
  // Every `%40` is an email anchor, and each walked 64 chars of local part back (`%`, `4` and
  // `0` are local-part chars) and decoded every escape there before looking at the domain:
  // 8 MB of `%40` took ~5.5 s, 16 MB of `a%40` ~7.5 s (~45 s at 64 MiB). Now the domain is
  // checked first and the walk stops at the previous `%40`: ~0.3 s and ~0.4 s. Against the
  // same text with `%41` (an escape that is no anchor), measured on the same machine: now
  // 6-10.5x at load 5-12, the old walk 136-170x.
  it('checks 8 MB of `%40` and 16 MB of `a%40` without a walk back from each `%40`, and finds the address after them', () => {
    // Timed on 1 MB, before the large runs leave the heap full of garbage to collect.
    const run = (u: string) => () => `${u.repeat(2 ** 20 / u.length)}jane%40example.org`;
    for (const unit of ['%40', 'a%40']) expect(timesSlower(detect, run(unit), run(unit.replace('%40', '%41'))), unit).toBeLessThan(40);
    for (const unit of ['%40', 'a%40']) {
      expect(found(`${unit.repeat((unit.length === 3 ? 8 : 16) * 2 ** 20 / unit.length)}jane%40example.org`), unit).toEqual([['email', 'jane%40example.org']]);
    }
  });

  it('starts the local part after the last escaped delimiter, or 64 chars back', () => {
    expect(found('%40%40jane%40example.org x%40bob%40example.com')).toEqual([['email', 'jane%40example.org'], ['email', 'bob%40example.com']]);
    expect(found(`${'x'.repeat(70)}%40example.org`)).toEqual([['email', `${'x'.repeat(64)}%40example.org`]]);
    expect(found(`${'x'.repeat(60)}%40abc%40example.org`)).toEqual([['email', 'abc%40example.org']]);
    // The cap comes first: an escape it cuts through no longer ends the local part.
    expect(found(`x%40${'y'.repeat(62)}%40example.org`)).toEqual([['email', `40${'y'.repeat(62)}%40example.org`]]);
  });
});
