import type { ConfigFormat } from '../types.js';
import type { FormatEditor } from './editor.js';
import { jsoncEditor } from './jsonc-editor.js';
import { tomlEditor } from './toml-editor.js';
import { yamlEditor } from './yaml-editor.js';

export function editorFor(format: ConfigFormat): FormatEditor {
  if (format === 'yaml') return yamlEditor;
  if (format === 'toml') return tomlEditor;
  return jsoncEditor;
}

export { ConfigParseError, UnsupportedEditError, type EntryEdits, type FileEdits, type FormatEditor, type Span } from './editor.js';
