/**
 * Every path, name and template field of a playbook fed odd values: planning never throws, and
 * every error it reports points at a place in the file (exit 2 with a located diagnostic).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { planText } from './helpers.js';

/** A playbook with one of each kind of field, as data. */
function basePlaybook(change: Record<string, unknown>): Record<string, unknown> {
  return {
    lrroll: 1,
    name: 'odd values',
    description: 'd',
    inventory: {
      defaults: {
        liferayHome: '/opt/liferay',
        tomcatHome: '{{liferayHome}}/tomcat',
        user: 'liferay',
        service: { type: 'scripts', pidFile: '{{liferayHome}}/liferay.pid' },
      },
      nodes: [
        { name: 'node1', host: '127.0.0.1', member: 'web1', vars: { v: 'x' } },
        { name: 'node2', host: '127.0.0.2' },
      ],
    },
    loadBalancer: {
      type: 'haproxy',
      socket: '/run/haproxy/admin.sock',
      backend: 'liferay',
      members: { node2: 'web2' },
    },
    change,
    health: {
      http: { url: 'http://{{host}}:8080/', bodyMatch: 'ok' },
      startupMarker: { log: '{{tomcatHome}}/logs/catalina.out' },
      warmup: { urls: ['http://{{host}}:8080/w'] },
    },
    hooks: {
      beforeNode: [{ run: 'echo {{ node }}' }],
      afterRun: [
        { webhook: 'http://hooks.example.com/{{ v }}', headers: { 'x-a': '{{ v }}' }, body: '{"n": "{{ v }}"}' },
      ],
    },
    vars: { v: 'value' },
  };
}

const CHANGES: Record<string, Record<string, unknown>> = {
  properties: { type: 'portal-properties', file: 'portal-ext.properties', set: { 'a.b': '{{ v }}' }, unset: ['c.d'] },
  jvm: { type: 'jvm-settings', file: 'bin/setenv.sh', options: ['-Xmx4g'], env: { LIFERAY_X: '{{ v }}' } },
  java: { type: 'java', from: '17.0.10', to: '17.0.12', javaHome: '/usr/lib/jvm/jdk-17' },
  custom: {
    type: 'custom',
    name: 'c',
    rollingSafe: true,
    commands: ['echo {{ v }}'],
    backup: ['{{ tomcatHome }}/lib'],
    verify: ['true'],
    revert: ['true'],
  },
  revert: { type: 'fixpack-revert', patch: 'dxp-15', revertible: true },
  osgi: { type: 'osgi-config', remove: ['com.acme.Old.config'] },
};

/** Where each field sits: [change kind, path into the playbook]. */
const FIELDS: Array<[string, Array<string | number>]> = [
  ['properties', ['name']],
  ['properties', ['inventory', 'defaults', 'liferayHome']],
  ['properties', ['inventory', 'defaults', 'tomcatHome']],
  ['properties', ['inventory', 'defaults', 'user']],
  ['properties', ['inventory', 'defaults', 'service', 'pidFile']],
  ['properties', ['inventory', 'defaults', 'service', 'unit']],
  ['properties', ['inventory', 'nodes', 0, 'name']],
  ['properties', ['inventory', 'nodes', 0, 'host']],
  ['properties', ['inventory', 'nodes', 0, 'member']],
  ['properties', ['inventory', 'nodes', 0, 'liferayHome']],
  ['properties', ['inventory', 'nodes', 0, 'vars', 'v']],
  ['properties', ['loadBalancer', 'socket']],
  ['properties', ['loadBalancer', 'backend']],
  ['properties', ['loadBalancer', 'members', 'node2']],
  ['properties', ['change', 'file']],
  ['properties', ['change', 'set', 'a.b']],
  ['properties', ['change', 'unset', 0]],
  ['properties', ['health', 'http', 'url']],
  ['properties', ['health', 'http', 'bodyMatch']],
  ['properties', ['health', 'startupMarker', 'log']],
  ['properties', ['health', 'warmup', 'urls', 0]],
  ['properties', ['hooks', 'beforeNode', 0, 'run']],
  ['properties', ['hooks', 'afterRun', 0, 'webhook']],
  ['properties', ['hooks', 'afterRun', 0, 'body']],
  ['properties', ['vars', 'v']],
  ['jvm', ['change', 'file']],
  ['jvm', ['change', 'options', 0]],
  ['jvm', ['change', 'env', 'LIFERAY_X']],
  ['java', ['change', 'javaHome']],
  ['custom', ['change', 'name']],
  ['custom', ['change', 'commands', 0]],
  ['custom', ['change', 'backup', 0]],
  ['revert', ['change', 'patch']],
  ['osgi', ['change', 'remove', 0]],
];

const ODD = [
  '..',
  '.',
  '/',
  'a/',
  '/opt/liferay/',
  '/opt/../x',
  './x',
  ' ',
  ' a b ',
  'ünïcødé/ø',
  '-rf',
  '--help',
  '-K file',
  '$(id)',
  '`id`',
  "'",
  '"',
  ';',
  'a\nb',
  'a\r\nb',
  '*',
  '?',
  '[x]',
  '{{',
  '{{ nope }}',
  '{{ v }}',
  "'{{ v }}'",
  '',
  '\t',
  '%',
  '\\',
  'x'.repeat(3000),
  '😀',
  '${HOME}',
  '#',
  '&',
  '|',
  '<<EOF',
  '/opt/liferay/.lrroll',
  '/opt/liferay',
];

function setIn(root: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

describe('odd values in every path, name and template field', () => {
  it('never make planning throw; every error is located', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIELDS),
        fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })),
        async ([kind, path], value) => {
          const playbook = basePlaybook(structuredClone(CHANGES[kind] as Record<string, unknown>));
          setIn(playbook, path, value);
          const outcome = await planText(stringify(playbook));
          for (const d of outcome.diagnostics.filter((x) => x.severity === 'error'))
            expect(d.source, `${d.code} ${d.summary}`).toBeDefined();
          if (!outcome.diagnostics.some((d) => d.severity === 'error')) expect(outcome.plan).toBeDefined();
        },
      ),
      { numRuns: Number(process.env.ODD_RUNS ?? 400), seed: Number(process.env.ODD_SEED ?? 13) },
    );
  }, 600_000);
});
