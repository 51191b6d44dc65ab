import { describe, expect, it } from 'vitest';
import { shownUrl } from '../../main/firewall/shown-url.js';

const KEY = 'sk-live-5f1e9a7c3b2d4e6f';

describe('a URL as errors show it', () => {
  it('keeps the query names and cuts their values, the fragment and any user or password', () => {
    expect(shownUrl(`https://mcp.example.com/v1/mcp?api_key=${KEY}&region=eu`)).toBe('https://mcp.example.com/v1/mcp?api_key=…&region=…');
    expect(shownUrl(`https://me:${KEY}@mcp.example.com:8443/mcp#token=${KEY}`)).toBe('https://…@mcp.example.com:8443/mcp#…');
    expect(shownUrl('https://mcp.example.com/mcp')).toBe('https://mcp.example.com/mcp');
    expect(shownUrl(`not a url?key=${KEY}`)).toBe('not a url?…');
  });
});
