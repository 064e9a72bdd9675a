/** The checks of each change the schema cannot express: fields that go together, and fields that exclude each other. */
import type { Diagnostic } from '../errors/diagnostics.js';
import type { Playbook } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';

export function checkChanges(playbook: Playbook, sm: SourceMap): Diagnostic[] {
  const list = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  const out: Diagnostic[] = [];
  list.forEach((c, i) => {
    const path = Array.isArray(playbook.change) ? ['change', i] : ['change'];
    if (c.type === 'portal-properties' && !c.set && !c.unset && c.source === undefined)
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: 'a `portal-properties` change needs `set` or `unset`, or a `source` file',
        source: sm.locate(path),
      });
    if (c.type === 'portal-properties' && c.source !== undefined && (c.set || c.unset))
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary: 'a `portal-properties` change ships a whole file (`source`) or edits keys (`set`/`unset`), not both',
        source: sm.locate([...path, 'source']),
        hint: 'put the keys into the shipped file, or make two changes',
      });
    if (c.type === 'portal-properties') {
      const both = (c.unset ?? []).filter((k) => c.set && k in c.set);
      for (const k of both)
        out.push({
          severity: 'error',
          code: 'E_SCHEMA',
          summary: `\`${k}\` is both set and unset`,
          source: sm.locate([...path, 'unset']),
        });
    }
    if (c.type === 'osgi-config' && !c.files?.length && !c.remove?.length)
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: 'an `osgi-config` change needs `files` or `remove`',
        source: sm.locate(path),
      });
    if (c.type === 'jvm-settings' && !c.options?.length && !Object.keys(c.env ?? {}).length && c.source === undefined)
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: 'a `jvm-settings` change needs `options` or `env`, or a `source` file',
        source: sm.locate(path),
      });
    if (c.type === 'jvm-settings' && c.source !== undefined && (c.options || c.env))
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary:
          'a `jvm-settings` change ships a whole setenv script (`source`) or manages a block ' +
          '(`options`/`env`), not both',
        source: sm.locate([...path, 'source']),
        hint: 'put the options into the shipped file, or make two changes',
      });
    if (c.type === 'release' && (c.bundle === undefined) === (c.lpkgs === undefined))
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: 'a `release` change needs either `bundle` (a new Tomcat bundle) or `lpkgs` (a new lpkg set), not both',
        source: sm.locate(path),
      });
    if (c.type === 'release' && c.carry && !c.bundle)
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary: '`carry` applies to a `bundle` release only',
        source: sm.locate([...path, 'carry']),
      });
    if (c.type === 'app-server' && !c.files?.length && !c.commands?.length)
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: 'an `app-server` change needs `files` or `commands`',
        source: sm.locate(path),
      });
    if (c.type === 'custom' && c.clusterCode === true && c.rollingSafe === true)
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary: 'a `custom` change cannot be `rollingSafe: true` and change cluster code (`clusterCode: true`)',
        source: sm.locate([...path, 'clusterCode']),
        hint: 'cluster code changes are never rolled: set `rollingSafe: false` and use `strategy: full`',
      });
  });
  return out;
}
