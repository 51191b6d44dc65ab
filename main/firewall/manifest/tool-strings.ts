// Every string of a tool the model may read, with its path. Poison hides wherever a client
// serialises the schema into the prompt: parameter descriptions, enum values, defaults,
// examples, titles, even property names — not just the top-level description.

export type StringRole = 'name' | 'text' | 'property-name' | 'technical';

export interface ToolString {
  path: string;
  text: string;
  role: StringRole;
  /** Name of the parameter this string describes, when inside a property schema. */
  param?: string;
}

const TEXT_KEYS = new Set(['description', 'title', 'default', 'const', 'examples', 'enum', 'example', 'markdownDescription']);
const MAX_DEPTH = 32;

function key(path: string, k: string): string {
  const safe = /^[A-Za-z_$][\w$-]*$/.test(k) ? k : JSON.stringify(k);
  if (path === '') return safe;
  return safe.startsWith('"') ? `${path}[${safe}]` : `${path}.${safe}`;
}

export function toolStrings(tool: unknown): ToolString[] {
  const out: ToolString[] = [];
  if (tool === null || typeof tool !== 'object') return out;
  const t = tool as Record<string, unknown>;
  if (typeof t.name === 'string') out.push({ path: 'name', text: t.name, role: 'name' });
  if (typeof t.title === 'string') out.push({ path: 'title', text: t.title, role: 'text' });
  if (typeof t.description === 'string') out.push({ path: 'description', text: t.description, role: 'text' });
  walkAny(t.annotations, 'annotations', 'text', undefined, out, 0);
  walkSchema(t.inputSchema, 'inputSchema', undefined, out, 0);
  walkSchema(t.outputSchema, 'outputSchema', undefined, out, 0);
  // Read by hosts rather than the model (an icon's URL, MCP Apps' ui.resourceUri): checked
  // for what hides in any string — invisible and bidi characters — not for instructions.
  walkAny(t.icons, 'icons', 'technical', undefined, out, 0);
  walkAny(t._meta, '_meta', 'technical', undefined, out, 0);
  return out;
}

function walkSchema(node: unknown, path: string, param: string | undefined, out: ToolString[], depth: number): void {
  if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkSchema(item, `${path}[${i}]`, param, out, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const p = key(path, k);
    if ((k === 'properties' || k === 'patternProperties' || k === '$defs' || k === 'definitions') && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) {
        const sp = key(p, name);
        if (k === 'properties') out.push({ path: sp, text: name, role: 'property-name', param: name });
        walkSchema(sub, sp, k === 'properties' ? name : param, out, depth + 1);
      }
    } else if (TEXT_KEYS.has(k)) {
      walkAny(v, p, 'text', param, out, depth + 1);
    } else if (typeof v === 'string') {
      out.push({ path: p, text: v, role: 'technical', ...(param === undefined ? {} : { param }) });
    } else {
      walkSchema(v, p, param, out, depth + 1);
    }
  }
}

function walkAny(node: unknown, path: string, role: StringRole, param: string | undefined, out: ToolString[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (typeof node === 'string') {
    out.push({ path, text: node, role, ...(param === undefined ? {} : { param }) });
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => walkAny(item, `${path}[${i}]`, role, param, out, depth + 1));
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) walkAny(v, key(path, k), role, param, out, depth + 1);
  }
}
