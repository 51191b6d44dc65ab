import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

const MCP = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol');
export const EVERYTHING_SERVER = join(MCP, 'server-everything', 'dist', 'index.js');
export const FILESYSTEM_SERVER = join(MCP, 'server-filesystem', 'dist', 'index.js');
export const MEMORY_SERVER = join(MCP, 'server-memory', 'dist', 'index.js');
