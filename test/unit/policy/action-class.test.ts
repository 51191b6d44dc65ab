import { describe, expect, it } from 'vitest';
import { classifyAction } from '../../../main/firewall/policy/action-class.js';
import { compilePolicy } from '../../../main/firewall/policy/evaluate.js';
import { parsePolicy } from '../../../main/firewall/policy/load.js';

const empty = (() => {
  const r = parsePolicy('version: v1\nrules: []\n');
  if (!r.ok) throw new Error('bad');
  return compilePolicy(r.spec);
})();
const classOf = (name: string, annotations?: Record<string, unknown>) => classifyAction(empty, 'srv', name, { name, ...(annotations ? { annotations } : {}) }).actionClass;

describe('action classes', () => {
  it('reads verbs from snake, kebab and camel case names', () => {
    expect(classOf('list_issues')).toBe('read');
    expect(classOf('get-file-contents')).toBe('read');
    expect(classOf('searchRepositories')).toBe('read');
  });
  it('classes writes and destructive actions, the strongest verb winning', () => {
    expect(classOf('create_issue')).toBe('write');
    expect(classOf('read_and_update')).toBe('write');
    expect(classOf('delete_repository')).toBe('destructive');
    expect(classOf('get_then_delete')).toBe('destructive');
  });
  it('does not call a name a read for a read verb beside an action it does not know or a mutating one', () => {
    for (const name of ['mark_all_read', 'mark_as_read', 'open_issue', 'open_pull_request', 'sync_directory', 'fetch_and_overwrite', 'list_and_cancel', 'read_and_clear_notifications', 'fetch_and_frobnicate', 'tag_issue', 'issue_label']) {
      expect(classOf(name), name).toBe('write');
    }
  });
  it('keeps reads whose words are things as often as actions, and reads of the reference servers', () => {
    for (const name of ['get_order', 'get_build_log', 'list_tags', 'get_release', 'get_label', 'open_nodes', 'read_graph', 'search_nodes', 'list_allowed_directories', 'directory_tree', 'get-env', 'echo', 'issues_list', 'get_and_show_user']) {
      expect(classOf(name), name).toBe('read');
    }
  });
  it('does not match verbs inside other words', () => {
    expect(classOf('forget_user')).toBe('write');
  });
  it('treats unknown names as write', () => {
    expect(classifyAction(empty, 'srv', 'frobnicate', undefined)).toEqual({ actionClass: 'write', source: 'default' });
  });
  it('lets annotations raise the class but never lower it', () => {
    expect(classOf('list_items', { destructiveHint: true })).toBe('destructive');
    expect(classOf('list_items', { readOnlyHint: false })).toBe('write');
    expect(classOf('delete_items', { readOnlyHint: true })).toBe('destructive');
    expect(classOf('frobnicate', { readOnlyHint: true })).toBe('write');
  });
  it('puts explicit policy first', () => {
    const r = parsePolicy('version: v1\naction_classes:\n  - match: { mcp.server: srv, mcp.tool: "frob*" }\n    class: read\nrules: []\n');
    if (!r.ok) throw new Error('bad');
    expect(classifyAction(compilePolicy(r.spec), 'srv', 'frobnicate', { name: 'frobnicate', annotations: { destructiveHint: true } })).toEqual({ actionClass: 'read', source: 'policy' });
  });
});

// The names the reference servers ship as reads (node_modules/@modelcontextprotocol/server-*).
const REFERENCE_READS = [
  'echo', 'get-annotated-message', 'get-env', 'get-resource-links', 'get-resource-reference', 'get-roots-list', 'get-structured-content', 'get-sum', 'get-tiny-image',
  'directory_tree', 'get_file_info', 'list_allowed_directories', 'list_directory', 'list_directory_with_sizes', 'read_file', 'read_media_file', 'read_multiple_files', 'read_text_file', 'search_files',
  'open_nodes', 'read_graph', 'search_nodes',
];

describe('action classes from names made to look like reads', () => {
  it('finds the second action behind an acronym (getURLAndFrob is get URL, and frob)', () => {
    for (const name of ['getURLAndFrob', 'fetchHTMLThenFrob', 'listIDOrFrob', 'readJSONPlusFrob']) expect(classOf(name), name).toBe('write');
  });
  it('takes no name for a read whose words it cannot read: symbols joining actions, letters outside ASCII', () => {
    // `аnd` below is spelled with a Cyrillic а, which the word splitter used to drop, leaving `nd`.
    for (const name of ['get_user&frob', 'get_user+frob', 'get_user|frob', 'get_user;frob', 'get_user,frob', 'get_user_аnd_frob', 'getＡndFrob']) {
      expect(classOf(name), name).toBe('write');
    }
    expect(classOf('get_user&delete')).toBe('destructive');
  });
  it('keeps every read tool of the reference servers a read, and acronyms in reads', () => {
    for (const name of [...REFERENCE_READS, 'getURL', 'getHTMLPage', 'listURLs', 'get_HTTPs_status', 'get user']) expect(classOf(name), name).toBe('read');
  });
});
