import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../main/firewall/policy/glob.js';

describe('policy globs', () => {
  it('lets ? stand for one character even when it lies outside the BMP (an emoji is two UTF-16 units)', () => {
    expect(compileGlob('tool_?')('tool_🔥')).toBe(true);
    expect(compileGlob('tool_??')('tool_🔥')).toBe(false);
    expect(compileGlob('?_🔥_?')('a_🔥_𝔁')).toBe(true);
  });
  it('still treats regex characters and astral characters in a pattern literally', () => {
    expect(compileGlob('(x)+?')('(x)+y')).toBe(true);
    expect(compileGlob('a.b|c*')('a.b|czz')).toBe(true);
    expect(compileGlob('a.b|c*')('axb|czz')).toBe(false);
    expect(compileGlob('🔥*')('🔥fire')).toBe(true);
    expect(compileGlob('🔥*')('\uD83Dfire')).toBe(false);
  });
});
