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
