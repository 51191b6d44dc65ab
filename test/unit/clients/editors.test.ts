import { describe, expect, it } from 'vitest';
import { jsoncEditor } from '../../../main/firewall/clients/formats/jsonc-editor.js';
import { tomlEditor } from '../../../main/firewall/clients/formats/toml-editor.js';
import { yamlEditor } from '../../../main/firewall/clients/formats/yaml-editor.js';
import { ConfigParseError, UnsupportedEditError } from '../../../main/firewall/clients/formats/index.js';

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

  it('TOML: edits inside inline tables surgically, nested ones too, and takes its edits back exactly', () => {
    const src = 'mcp_servers.docs = { command = "npx", args = ["-y", "docs"], env = { K = "v" } } # inline\n\n[features]\nx = 1\n';
    const parsed = () => tomlEditor.parse(src) as { mcp_servers: { docs: Record<string, unknown> } };
    expect(parsed().mcp_servers.docs.command).toBe('npx');
    const span = tomlEditor.spanOf(src, ['mcp_servers', 'docs', 'env', 'K'])!;
    expect(src.slice(span.start, span.end)).toBe('"v"');
    const set = tomlEditor.set(src, ['mcp_servers', 'docs', 'command'], '/usr/bin/node');
    expect(set).toBe(src.replace('"npx"', '"/usr/bin/node"'));
    const added = tomlEditor.set(src, ['mcp_servers', 'docs', 'startup_timeout_sec'], 30, 'command');
    expect(added).toBe(src.replace('command = "npx",', 'command = "npx", startup_timeout_sec = 30,'));
    expect(tomlEditor.remove(added, ['mcp_servers', 'docs', 'startup_timeout_sec'])).toBe(src);
    const last = tomlEditor.set(src, ['mcp_servers', 'docs', 'env', 'T'], 'x');
    expect(last).toBe(src.replace('{ K = "v" }', '{ K = "v", T = "x" }'));
    expect(tomlEditor.remove(last, ['mcp_servers', 'docs', 'env', 'T'])).toBe(src);
    const emptied = tomlEditor.remove(src, ['mcp_servers', 'docs', 'env', 'K']);
    expect(emptied).toBe(src.replace('{ K = "v" }', '{}'));
    expect(tomlEditor.set(emptied, ['mcp_servers', 'docs', 'env', 'K'], 'v')).toBe(src);
    // An inline table under a [table] header, spread over lines with a comment (TOML 1.1).
    const spread = '[mcp_servers]\ngit = {\n  command = "uvx", # the runner\n  args = ["mcp-server-git"]\n}\n';
    const moved = tomlEditor.set(spread, ['mcp_servers', 'git', 'args'], ['wrap', 'uvx']);
    expect(moved).toBe(spread.replace('["mcp-server-git"]', '["wrap", "uvx"]'));
  });

  it('TOML: removing the last member of an inline table spread over lines leaves each comment with its own member', () => {
    const withComma = '[mcp_servers]\ngit = {\n  command = "uvx", # c\n  args = ["a"], # d\n}\n';
    expect(tomlEditor.remove(withComma, ['mcp_servers', 'git', 'args'])).toBe('[mcp_servers]\ngit = {\n  command = "uvx", # c\n   # d\n}\n');
    const noComma = '[mcp_servers]\ngit = {\n  command = "uvx", # c\n  args = ["a"] # d\n}\n';
    expect(tomlEditor.remove(noComma, ['mcp_servers', 'git', 'args'])).toBe('[mcp_servers]\ngit = {\n  command = "uvx" # c\n   # d\n}\n');
  });

  it('TOML: refuses to add to or remove from an inline table it could not read to the end', () => {
    // A key this scanner does not read (a Unicode bare key, as TOML 1.1 allows): the members past it are unknown.
    const src = 'mcp_servers.x = { command = "npx", clé = 1, args = ["a"] }\n';
    expect(() => tomlEditor.set(src, ['mcp_servers', 'x', 'startup_timeout_sec'], 30)).toThrow(UnsupportedEditError);
    expect(() => tomlEditor.remove(src, ['mcp_servers', 'x', 'command'])).toThrow(UnsupportedEditError);
    // A known member's value is still a splice of its own span.
    expect(tomlEditor.set(src, ['mcp_servers', 'x', 'command'], 'node')).toBe(src.replace('"npx"', '"node"'));
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
