import { describe, expect, it } from 'vitest';
import { jsoncEditor } from '../../../main/firewall/clients/formats/jsonc-editor.js';
import { tomlEditor } from '../../../main/firewall/clients/formats/toml-editor.js';
import { yamlEditor } from '../../../main/firewall/clients/formats/yaml-editor.js';
import { ConfigParseError } from '../../../main/firewall/clients/formats/index.js';

describe('format editors', () => {
  it('TOML: adds a key inside its own table, before a following sub-table, and parses back', () => {
    const src = '[mcp_servers.a]\ncommand = "x" # the launcher\n\n[mcp_servers.a.env]\nK = "v"\n';
    const out = tomlEditor.set(src, ['mcp_servers', 'a', 'args'], ['-y', 'q"uote'], 'command');
    expect(out).toBe('[mcp_servers.a]\ncommand = "x" # the launcher\nargs = ["-y", "q\\"uote"]\n\n[mcp_servers.a.env]\nK = "v"\n');
    expect(tomlEditor.parse(out)).toEqual({ mcp_servers: { a: { command: 'x', args: ['-y', 'q"uote'], env: { K: 'v' } } } });
    expect(tomlEditor.remove(out, ['mcp_servers', 'a', 'args'])).toBe(src);
  });

  it('TOML: finds values of quoted tables, dotted keys and multi-line arrays with comments', () => {
    const src = '[mcp_servers."my srv"]\nargs = [\n  "a", # one\n  "b",\n]\nenv.TOKEN = \'x\'\n';
    const span = tomlEditor.spanOf(src, ['mcp_servers', 'my srv', 'args'])!;
    expect(src.slice(span.start, span.end)).toBe('[\n  "a", # one\n  "b",\n]');
    const env = tomlEditor.spanOf(src, ['mcp_servers', 'my srv', 'env', 'TOKEN'])!;
    expect(src.slice(env.start, env.end)).toBe("'x'");
  });

  it('TOML: a broken file is a ConfigParseError with a line', () => {
    expect(() => tomlEditor.parse('[a]\nb = = 1\n')).toThrow(ConfigParseError);
    expect(() => tomlEditor.parse('[a]\nb = = 1\n')).toThrow(/line 2/);
  });

  it('YAML: keeps CRLF line endings and block style when replacing a block sequence', () => {
    const src = 'x:\r\n  cmd: a\r\n  args:\r\n    - one\r\n    - two\r\n  other: 1\r\n';
    const out = yamlEditor.set(src, ['x', 'args'], ['p', 'q', 'r']);
    expect(out).toBe('x:\r\n  cmd: a\r\n  args:\r\n    - "p"\r\n    - "q"\r\n    - "r"\r\n  other: 1\r\n');
  });

  it('YAML: adds a missing key after its sibling and removes it again exactly', () => {
    const src = '- name: T\n  command: uvx # comment\n  timeout: 3\n';
    const out = yamlEditor.set(src, [0, 'args'], ['a'], 'command');
    expect(out).toBe('- name: T\n  command: uvx # comment\n  args: ["a"]\n  timeout: 3\n');
    expect(yamlEditor.remove(out, [0, 'args'])).toBe(src);
  });

  it('JSONC: tolerates a BOM, keeps tabs, and reports the line of a syntax error', () => {
    const src = '\uFEFF{\n\t"servers": {\n\t\t"a": { "command": "x" }\n\t}\n}\n';
    const out = jsoncEditor.set(src, ['servers', 'a', 'args'], ['y'], 'command');
    expect(out.startsWith('\uFEFF{')).toBe(true);
    expect(jsoncEditor.parse(out)).toEqual({ servers: { a: { command: 'x', args: ['y'] } } });
    expect(out).toContain('\t\t\t"args"');
    expect(() => jsoncEditor.parse('{\n  "a": 1\n  "b": 2\n}')).toThrow(/line 3, column 3/);
  });
});
