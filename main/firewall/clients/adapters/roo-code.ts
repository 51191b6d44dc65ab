import { join } from 'node:path';
import type { ClientAdapter } from '../types.js';
import { inEditorStorage, inProjects } from './shared.js';

export const rooCode: ClientAdapter = {
  id: 'roo-code',
  displayName: 'Roo Code',
  processNames: ['code', 'cursor', 'windsurf'],
  configFiles(ctx) {
    return [...inEditorStorage(ctx, 'rooveterinaryinc.roo-cline', 'mcp_settings.json'), ...inProjects(ctx, join('.roo', 'mcp.json'))];
  },
};
