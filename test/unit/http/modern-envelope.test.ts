import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue, envelopeOf, headerMismatch, isModernPost, standardHeaders } from '../../../main/firewall/http/modern-envelope.js';
import { withClientId, withSubscription } from '../../../main/firewall/http/modern-ids.js';

const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
const call = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {}, _meta: ENVELOPE } });

describe('the 2026-07-28 envelope and headers', () => {
  it('tells a stateless request by its envelope or its version header, and nothing older', () => {
    expect(isModernPost([call('x')], undefined)).toBe(true);
    expect(isModernPost([{ jsonrpc: '2.0', method: 'notifications/cancelled' }], '2026-07-28')).toBe(true);
    expect(isModernPost([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } } }], '2025-11-25')).toBe(false);
    expect(isModernPost([{ jsonrpc: '2.0', id: 1, method: 'initialize' }], undefined)).toBe(false);
    expect(envelopeOf({ jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': 'later' } } })).toBeUndefined();
  });

  it('writes Mcp-Name from the body, base64 when a header cannot carry it as it is', () => {
    expect(standardHeaders(call('read_echo'))).toEqual({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'read_echo' });
    const named = standardHeaders(call('naïve tool'))['mcp-name']!;
    expect(named).toMatch(/^=\?base64\?.+\?=$/);
    expect(decodeHeaderValue(named)).toBe('naïve tool');
    expect(encodeHeaderValue(' padded')).not.toBe(' padded');
    expect(decodeHeaderValue('=?base64?not base64?=')).toBeUndefined();
  });

  it('finds a header that disagrees with the body, a sentinel-encoded name included', () => {
    expect(headerMismatch(call('write_note'), { 'mcp-method': 'tools/call', 'mcp-name': 'write_note' })).toBeNull();
    expect(headerMismatch(call('write_note'), { 'mcp-name': 'read_echo' })).toMatch(/Mcp-Name/);
    expect(headerMismatch(call('write_note'), { 'mcp-method': 'tools/list' })).toMatch(/Mcp-Method/);
    expect(headerMismatch(call('write_note'), { 'mcp-protocol-version': '2027-01-01' })).toMatch(/MCP-Protocol-Version/);
    expect(headerMismatch(call('naïve tool'), { 'mcp-name': encodeHeaderValue('naïve tool') })).toBeNull();
  });
});

describe("a relayed answer given back the client's id", () => {
  it('puts the id back at either edge without parsing the answer, and parses any other layout', () => {
    expect(withClientId('{"result":{"id":7},"jsonrpc":"2.0","id":7}', 7, 'listen:0')).toBe('{"result":{"id":7},"jsonrpc":"2.0","id":"listen:0"}');
    expect(withClientId('{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":",\\"id\\":7}"}}', 7, 3)).toBe('{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":",\\"id\\":7}"}}');
    expect(JSON.parse(withClientId('{ "id" : 7, "result" : {} }', 7, 'a'))).toEqual({ id: 'a', result: {} });
  });

  it("names the client's subscription on its stream, and leaves another subscription's alone", () => {
    const note = (id: unknown) => JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': id } } });
    expect(JSON.parse(withSubscription(note(4), 4, 'listen:0')).params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen:0');
    expect(withSubscription(note(5), 4, 'listen:0')).toBe(note(5));
    const unnamed = withSubscription('{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{}}', 4, 'listen:0');
    expect(JSON.parse(unnamed).params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen:0');
    const ended = withSubscription('{"jsonrpc":"2.0","id":"listen:0","result":{"resultType":"complete","_meta":{"io.modelcontextprotocol/subscriptionId":4}}}', 4, 'listen:0');
    expect(JSON.parse(ended).result._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen:0');
  });
});
