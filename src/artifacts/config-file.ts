/**
 * What a configuration file shipped from the playbook's repository sets: the keys of a
 * `portal-ext.properties`, the JVM options and variables of a `setenv.sh`. The setenv script is
 * read, never run: only plain assignments (`NAME=value`, `export NAME=value`) are understood, with
 * `$NAME`/`${NAME}` references to the same variable dropped, as Tomcat's own setenv files use them.
 */
import { parseProperties } from './manifest.js';
import type { ConfigFileFacts } from './types.js';

/** The keys a properties file sets, in order. */
export function readPropertiesKeys(text: string): ConfigFileFacts {
  return { keys: [...parseProperties(text).keys()], jvmOptions: [], variables: [] };
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const OPTION_VARIABLES = new Set(['CATALINA_OPTS', 'JAVA_OPTS']);

/** The variables a setenv script assigns and the JVM options it adds to CATALINA_OPTS / JAVA_OPTS. */
export function readSetenv(text: string): ConfigFileFacts {
  const variables = new Set<string>();
  const jvmOptions: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    for (const statement of line.split(/;\s*/)) {
      const m = ASSIGNMENT.exec(statement);
      if (!m) continue;
      const name = m[1] as string;
      variables.add(name);
      if (OPTION_VARIABLES.has(name)) jvmOptions.push(...optionsIn(unquote(m[2] as string), name));
    }
  }
  return { keys: [], jvmOptions, variables: [...variables].sort() };
}

/** The value of an assignment without its outer quotes and trailing comment. */
function unquote(value: string): string {
  const v = value.trim();
  const q = v[0];
  if (q === '"' || q === "'") {
    const end = v.indexOf(q, 1);
    return end > 0 ? v.slice(1, end) : v.slice(1);
  }
  return v.replace(/\s+#.*$/, '');
}

/** The words of a value that are JVM options (`-X…`, `-D…`), its own variable's references left out. */
function optionsIn(value: string, name: string): string[] {
  const self = new RegExp(`^\\$(\\{${name}\\}|${name})$`);
  return value.split(/\s+/).filter((w) => w !== '' && !self.test(w) && w.startsWith('-'));
}
