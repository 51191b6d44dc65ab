// Deterministic "typical tool output" for the detector benchmark: JSON listings, source
// code and logs with the ids, hashes, timestamps and paths real tools print — and no secrets.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the a server client request response file directory config update handle error value result list item user data cache build test deploy module import export function return async await promise stream buffer index path name size type status version commit branch merge review'.split(' ');

export function generate(kind: 'json' | 'code' | 'logs', bytes: number, seed = 1): string {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const iso = () => `2025-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}T1${Math.floor(r() * 9)}:${10 + Math.floor(r() * 49)}:${10 + Math.floor(r() * 49)}.${100 + Math.floor(r() * 899)}Z`;
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    let chunk: string;
    if (kind === 'json') {
      chunk = JSON.stringify({
        id: uuid(), sha: hex(40), name: `${pick(WORDS)}-${pick(WORDS)}.ts`, path: `/workspace/src/${pick(WORDS)}/${pick(WORDS)}.ts`,
        size: Math.floor(r() * 100000), modified: iso(), title: words(6), draft: r() > 0.5, labels: [pick(WORDS), pick(WORDS)],
        url: `https://api.github.com/repos/acme/${pick(WORDS)}/pulls/${Math.floor(r() * 5000)}`,
      }, null, 2) + ',\n';
    } else if (kind === 'code') {
      const fn = `${pick(WORDS)}${pick(WORDS).replace(/^./, (c) => c.toUpperCase())}`;
      chunk = `// ${words(8)}\nexport async function ${fn}(input: string, options: { limit?: number } = {}): Promise<string[]> {\n  const items = await fetchItems(input, options.limit ?? ${Math.floor(r() * 100)});\n  if (items.length === 0) throw new Error('${words(4)}');\n  return items.map((item) => \`\${item.name}:\${item.size}\`).filter(Boolean);\n}\n\n`;
    } else {
      chunk = `${iso()} ${pick(['INFO', 'DEBUG', 'WARN', 'ERROR'])} [${pick(WORDS)}] request_id=${uuid()} method=${pick(['GET', 'POST'])} path=/api/v1/${pick(WORDS)}/${Math.floor(r() * 9999)} status=${pick([200, 201, 304, 404, 500])} duration_ms=${(r() * 500).toFixed(2)} ${words(5)}\n`;
    }
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.join('').slice(0, bytes);
}
