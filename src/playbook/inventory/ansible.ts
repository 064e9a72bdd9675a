import { readAnsibleIni } from './ansible-ini.js';
import { readAnsibleYaml } from './ansible-yaml.js';
import type { AnsibleModel } from './model.js';

/** The two on-disk formats of an Ansible inventory. */
type AnsibleInventoryFormat = 'ini' | 'yaml';

/** A first line that only YAML/JSON would start with: `---`, `{`, `all:` or another bare `group:` key. */
const YAML_FIRST_LINE = /^(---|\{|all\s*:(\s|$)|[^\s[\]#;=:]+:\s*(#.*)?$)/;

/** YAML when the name ends in .yml/.yaml/.json or the first meaningful line looks like YAML; else INI. */
export function detectAnsibleFormat(text: string, file: string): AnsibleInventoryFormat {
  if (/\.(ya?ml|json)$/i.test(file)) return 'yaml';
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 200)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    return YAML_FIRST_LINE.test(line) ? 'yaml' : 'ini';
  }
  return 'ini';
}

/** Reads an Ansible inventory in INI or YAML format (see detectAnsibleFormat) into its model. */
export function readAnsibleInventory(text: string, file: string): AnsibleModel {
  return detectAnsibleFormat(text, file) === 'yaml' ? readAnsibleYaml(text, file) : readAnsibleIni(text, file);
}
