import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../main/firewall/manifest/canonical-json.js';
import { compareToPins, manifestDigests, TOOL_DIGEST_VERSION, toolDigest } from '../../../main/firewall/manifest/index.js';

const tool = {
  name: 'add',
  description: 'Adds two numbers.',
  inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  annotations: { readOnlyHint: true },
};

describe('toolDigest', () => {
  it('is the same whatever the key order and whitespace of the JSON the server sent', () => {
    const reordered = JSON.parse(`{
      "annotations": { "readOnlyHint": true },
      "inputSchema": { "required": ["a","b"], "properties": { "b": {"type":"number"}, "a": {"type":"number"} }, "type": "object" },
      "description": "Adds two numbers.",
      "name": "add"
    }`);
    expect(toolDigest(reordered)).toBe(toolDigest(tool));
    expect(toolDigest(tool)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when one character of the description changes, including an invisible one', () => {
    expect(toolDigest({ ...tool, description: 'Adds two numbers!' })).not.toBe(toolDigest(tool));
    expect(toolDigest({ ...tool, description: 'Adds two\u200b numbers.' })).not.toBe(toolDigest(tool));
  });

  it('covers schemas, annotations and title', () => {
    const base = toolDigest(tool);
    expect(toolDigest({ ...tool, outputSchema: { type: 'object' } })).not.toBe(base);
    expect(toolDigest({ ...tool, annotations: { readOnlyHint: false } })).not.toBe(base);
    expect(toolDigest({ ...tool, title: 'Adder' })).not.toBe(base);
  });

  it('covers how the tool runs, the icons a client shows and the UI a host renders from _meta', () => {
    const base = toolDigest(tool);
    expect(toolDigest({ ...tool, execution: { taskSupport: 'required' } })).not.toBe(base);
    expect(toolDigest({ ...tool, icons: [{ src: 'https://cdn.example/add.png' }] })).not.toBe(base);
    const app = { ...tool, _meta: { ui: { resourceUri: 'ui://add/view.html' } } };
    expect(toolDigest(app)).not.toBe(base);
    expect(toolDigest({ ...tool, _meta: { ui: { resourceUri: 'ui://add/other.html' } } })).not.toBe(toolDigest(app));
    expect(toolDigest({ ...tool, _meta: { 'openai/outputTemplate': 'ui://add/view.html' } })).not.toBe(base);
  });

  it("reads the spec's defaults as absent, so a server's SDK writing them out is no drift", () => {
    const base = toolDigest(tool);
    expect(toolDigest({ ...tool, execution: { taskSupport: 'forbidden' } })).toBe(base);
    expect(toolDigest({ ...tool, execution: {} })).toBe(base);
    expect(toolDigest({ ...tool, _meta: {} })).toBe(base);
    expect(toolDigest({ ...tool, execution: { taskSupport: 'optional' } })).not.toBe(base);
  });

  it('keeps version 1, over the fields pinned before, to recognise an old pin', () => {
    const app = { ...tool, execution: { taskSupport: 'required' }, _meta: { ui: { resourceUri: 'ui://add/view.html' } } };
    expect(toolDigest(app, 1)).toBe(toolDigest(tool, 1));
    expect(toolDigest(tool, 1)).toBe(toolDigest(tool));
    expect(TOOL_DIGEST_VERSION).toBe(2);
  });

  it('keeps array order significant (required, enum) but treats -0 and 0 alike', () => {
    const swapped = { ...tool, inputSchema: { ...tool.inputSchema, required: ['b', 'a'] } };
    expect(toolDigest(swapped)).not.toBe(toolDigest(tool));
    expect(canonicalJson({ x: -0, y: undefined, z: [undefined] })).toBe('{"x":0,"z":[null]}');
  });
});

describe('manifestDigests', () => {
  it('digests instructions, prompts and resource templates, prompts as an unordered set', () => {
    const p1 = { name: 'greet', description: 'Say hi' };
    const p2 = { name: 'bye', arguments: [{ name: 'who' }] };
    const a = manifestDigests({ tools: [tool], instructions: 'Use add for sums.', prompts: [p1, p2], resourceTemplates: [{ uriTemplate: 'x://{id}', name: 'x' }] });
    const b = manifestDigests({ tools: [tool], instructions: 'Use add for sums.', prompts: [p2, p1], resourceTemplates: [{ name: 'x', uriTemplate: 'x://{id}' }] });
    expect(a).toEqual(b);
    expect(a.tools).toEqual({ add: toolDigest(tool) });
    expect(manifestDigests({ tools: [], prompts: [p1] }).prompts).not.toBe(a.prompts);
    expect(manifestDigests({ tools: [], instructions: 'Use add for sums!' }).instructions).not.toBe(a.instructions);
    expect(manifestDigests({ tools: [] })).toEqual({ tools: {} });
  });

  it('folds two tools with the same name into one pin that drifts if either changes', () => {
    const twin = { ...tool, description: 'Other add' };
    const pins = manifestDigests({ tools: [tool, twin] }).tools;
    expect(Object.keys(pins)).toEqual(['add']);
    expect(pins.add).not.toBe(toolDigest(tool));
    expect(manifestDigests({ tools: [tool, { ...twin, description: 'changed' }] }).tools.add).not.toBe(pins.add);
  });
});

describe('compareToPins', () => {
  it('classifies each tool as unchanged, drifted, added or removed', () => {
    const pinned = { keep: 'd1', edit: 'd2', gone: 'd3' };
    const current = { keep: 'd1', edit: 'd2-changed', fresh: 'd4' };
    expect(compareToPins(pinned, current)).toEqual({ unchanged: ['keep'], drifted: ['edit'], added: ['fresh'], removed: ['gone'] });
  });

  it('does not treat inherited object keys as pins', () => {
    expect(compareToPins({}, { constructor: 'x', toString: 'y' })).toEqual({ unchanged: [], drifted: [], added: ['constructor', 'toString'], removed: [] });
  });
});
