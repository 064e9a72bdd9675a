// Fuzz cases for lrroll's input handling: mutations of valid playbooks, inventories and artifacts,
// as a careless or hostile user would write them. Each case says what a correct lrroll must do
// with it: `invalid` (exit 2), `refused` (exit 3 from `plan`), or `any` (0, 2 or 3 are all fine).
// Plain JavaScript so both the test suite (vitest) and scripts/fuzz.mjs (plain node) can use it.
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import yazl from 'yazl';

/** The example playbooks, parsed: the corpus every mutation starts from. */
export function loadCorpus(playbooksDir) {
  return readdirSync(playbooksDir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => ({ name: f, data: parse(readFileSync(join(playbooksDir, f), 'utf8')) }));
}

const ODD_STRINGS = [
  '',
  ' ',
  '..',
  '.',
  '/',
  '*',
  '-rf',
  '--help',
  '-K /etc/passwd',
  '$(touch /tmp/lrroll-fuzz)',
  '`touch /tmp/lrroll-fuzz`',
  "'",
  '"',
  ';',
  '&&',
  '|',
  '\n',
  'a\nb',
  '\t',
  '\\',
  '{{',
  '}}',
  '{{ nope }}',
  '${HOME}',
  'ünïcødé',
  '😀',
  '\u202e',
  'x'.repeat(5000),
  '%s%n',
  '<script>',
  '../../etc/passwd',
  'C:\\x',
  '~',
  '#',
];
const ODD_NUMBERS = [0, -1, 1.5, 1e20, Number.MAX_SAFE_INTEGER + 2, -0, 65536, 1e-9];
const NON_FINITE = ['.nan', '.inf', '-.inf', '1e400'];

/** Every path (as a list of keys) to a leaf or a container in a value. */
function pathsOf(value, prefix = [], out = []) {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function getIn(root, path) {
  return path.reduce((v, k) => (v == null ? undefined : v[k]), root);
}

function setIn(root, path, value) {
  if (path.length === 0) return value;
  const parent = getIn(root, path.slice(0, -1));
  if (parent && typeof parent === 'object') parent[path[path.length - 1]] = value;
  return root;
}

function deleteIn(root, path) {
  const parent = getIn(root, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else if (parent && typeof parent === 'object') delete parent[path[path.length - 1]];
  return root;
}

const anyValue = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.constantFrom(...ODD_NUMBERS),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Structural and typed mutations of a playbook's data; the text is rendered with `yaml`. */
const dataMutation = fc.oneof(
  fc.record({ op: fc.constant('set'), pick: fc.nat(), value: anyValue }),
  fc.record({ op: fc.constant('delete'), pick: fc.nat() }),
  fc.record({
    op: fc.constant('rename'),
    pick: fc.nat(),
    key: fc.constantFrom('serail', 'nmae', 'lifreayHome', '<<', 'type ', 'Type', ''),
  }),
  fc.record({ op: fc.constant('wrap'), pick: fc.nat(), as: fc.constantFrom('list', 'map') }),
  fc.record({ op: fc.constant('nul'), pick: fc.nat() }),
);

function applyDataMutation(data, m) {
  const paths = pathsOf(data);
  const path = paths[m.pick % paths.length] ?? [];
  const old = getIn(data, path);
  switch (m.op) {
    case 'set':
      return { data: setIn(data, path, m.value), expect: 'any' };
    case 'delete':
      return { data: path.length ? deleteIn(data, path) : data, expect: 'any' };
    case 'rename': {
      if (path.length === 0 || typeof path[path.length - 1] !== 'string') return { data, expect: 'any' };
      const parent = getIn(data, path.slice(0, -1));
      const key = path[path.length - 1];
      const oldParent = getIn(data, path.slice(0, -2));
      void oldParent;
      if (parent && !Array.isArray(parent) && m.key !== key && !(m.key in parent)) {
        parent[m.key] = parent[key];
        delete parent[key];
      }
      return { data, expect: 'any' };
    }
    case 'wrap':
      return { data: setIn(data, path, m.as === 'list' ? [old] : { value: old }), expect: 'any' };
    case 'nul':
      // A NUL in any string of the playbook is never valid input.
      if (typeof old === 'string')
        return { data: setIn(data, path, `${old.slice(0, 3)}\u0000${old.slice(3)}`), expect: 'invalid' };
      return { data, expect: 'any' };
  }
  return { data, expect: 'any' };
}

/** Field-targeted mutations whose right answer is known: each must be refused as invalid. */
const KNOWN_INVALID = [
  ['inventory.defaults.liferayHome', '/opt/../liferay'],
  ['inventory.defaults.liferayHome', 'opt/liferay'],
  ['inventory.defaults.liferayHome', '/opt/lif*ray'],
  ['inventory.defaults.tomcatHome', '/opt/liferay/../tomcat'],
  ['loadBalancer.drainTimeout', '600h'],
  ['loadBalancer.drainTimeout', 1e300],
  ['health.http.url', '-K /etc/passwd'],
  ['health.http.url', 'not a url'],
  ['health.http.bodyMatch', '([unclosed'],
  ['hooks.afterRun', [{ run: "logger '{{ name }}'" }]],
  ['hooks.afterRun', [{ webhook: 'example.com/no-scheme' }]],
  ['rollout.serial', 1e12],
  ['rollout.seed', -5],
  ['name', 'a\u0000b'],
  ['vars', { x: 'a\u001b[2Jb' }],
];

const knownInvalid = fc
  .record({ which: fc.nat({ max: KNOWN_INVALID.length - 1 }) })
  .map(({ which }) => KNOWN_INVALID[which]);

function setDotted(data, dotted, value) {
  const keys = dotted.split('.');
  let node = data;
  for (const k of keys.slice(0, -1)) {
    if (!node[k] || typeof node[k] !== 'object') node[k] = {};
    node = node[k];
  }
  node[keys[keys.length - 1]] = value;
  return data;
}

/** Text-level mutations: YAML features and raw damage the data model cannot express. */
const textMutation = fc.oneof(
  fc.record({ op: fc.constant('deep'), depth: fc.integer({ min: 65, max: 20000 }), flow: fc.boolean() }),
  fc.record({ op: fc.constant('nonfinite'), value: fc.constantFrom(...NON_FINITE) }),
  fc.record({ op: fc.constant('anchors') }),
  fc.record({ op: fc.constant('bomb') }),
  fc.record({ op: fc.constant('truncate'), at: fc.nat() }),
  fc.record({ op: fc.constant('flip'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

function applyTextMutation(text, m) {
  switch (m.op) {
    case 'deep': {
      const nested = m.flow
        ? `${'['.repeat(m.depth)}${']'.repeat(m.depth)}`
        : `\n${Array.from({ length: Math.min(m.depth, 400) }, (_, i) => `${' '.repeat(i + 3)}- `).join('\n')}x`;
      return { text: `${text}\nx_deep: ${nested}\n`, expect: 'invalid' };
    }
    case 'nonfinite':
      return {
        text:
          text.replace(/^(\s*(drainTimeout|stopTimeout|settle|timeout|serial)\s*:).*$/m, `$1 ${m.value}`) +
          `\nvars2: ${m.value}\n`,
        expect: 'invalid',
      };
    case 'anchors':
      return { text: `${text}\nx_defaults: &d { serial: 2 }\nx_use:\n  <<: *d\n`, expect: 'invalid' };
    case 'bomb': {
      const lines = ['x_bomb:', '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++)
        lines.push(
          `  a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
        );
      return { text: `${text}\n${lines.join('\n')}\n`, expect: 'invalid' };
    }
    case 'truncate':
      return { text: text.slice(0, m.at % (text.length + 1)), expect: 'any' };
    case 'flip': {
      const i = m.at % Math.max(text.length, 1);
      return {
        text: text.slice(0, i) + String.fromCharCode(m.byte) + text.slice(i + 1),
        expect: m.byte === 0 ? 'invalid' : 'any',
      };
    }
  }
  return { text, expect: 'any' };
}

/** Builds a zip in memory (yazl), entries in order. */
export async function zipBytes(entries) {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  zip.end();
  const chunks = [];
  for await (const c of zip.outputStream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A zip with entry names yazl refuses, written under same-length placeholders and swapped in the bytes. */
async function zipRawNames(entries) {
  const swaps = [];
  const safe = entries.map(([name, content], i) => {
    const stand = name.replace(/\.\./g, 'QQ').replace(/^\//, 'Q');
    if (stand === name) return [name, content];
    const unique = String.fromCharCode(65 + i) + stand.slice(1);
    swaps.push([unique, name]);
    return [unique, content];
  });
  let bytes = (await zipBytes(safe)).toString('latin1');
  for (const [a, b] of swaps) bytes = bytes.split(a).join(b);
  return Buffer.from(bytes, 'latin1');
}

const DOC = JSON.stringify({ patch: { name: 'dxp-15-7210', product: '7210', requirements: 'dxp=14' } });

/** Artifacts: module manifests and patch archives, hostile or damaged. */
const artifactCase = fc.oneof(
  fc.record({
    kind: fc.constant('bsn'),
    bsn: fc.oneof(
      fc.constantFrom('com.acme`id`', 'com.acme;$(id)', 'com acme', '-x', 'a\u001b[2J', "x'y"),
      fc.string({ minLength: 1, maxLength: 15 }),
    ),
  }),
  fc.record({
    kind: fc.constant('nested-sql'),
    depth: fc.integer({ min: 1, max: 5 }),
    outer: fc.constantFrom('x.jar', 'x.zip', 'x.lpkg', 'x.war'),
    what: fc.constantFrom('sql/update.sql', 'com/acme/upgrade/v2/U.class', 'com/liferay/portal/kernel/cluster/C.class'),
  }),
  fc.record({ kind: fc.constant('slip'), name: fc.constantFrom('../../x', '/etc/x', 'a/../../x') }),
  fc.record({ kind: fc.constant('xml'), tags: fc.integer({ min: 1, max: 200000 }) }),
  fc.record({ kind: fc.constant('garbage'), bytes: fc.uint8Array({ maxLength: 300 }) }),
);

async function buildArtifact(a) {
  switch (a.kind) {
    case 'bsn': {
      const jar = await zipBytes([
        [
          'META-INF/MANIFEST.MF',
          `Manifest-Version: 1.0\r\nBundle-SymbolicName: ${a.bsn.replace(/[\r\n]/g, '')}` +
            `\r\nLiferay-Require-SchemaVersion: 1.0.0\r\n\r\n`,
        ],
      ]);
      const valid =
        /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(a.bsn.replace(/;.*/, '').trim()) ||
        a.bsn.replace(/;.*/, '').trim() === '';
      return {
        file: 'fz-module.jar',
        bytes: jar,
        change: { type: 'module', artifact: 'fz-module.jar', dataChanges: 'none' },
        expect: valid ? 'any' : 'invalid',
      };
    }
    case 'nested-sql': {
      let inner = await zipBytes([[a.what, 'x']]);
      for (let i = 1; i < a.depth; i++) inner = await zipBytes([[`lib/l${i}.jar`, inner]]);
      const zip = await zipBytes([
        ['fixpack_documentation.json', DOC],
        [`binary/${a.outer}`, inner],
      ]);
      return {
        file: 'fz-patch.zip',
        bytes: zip,
        change: { type: 'fixpack', artifact: 'fz-patch.zip', revertible: true },
        expect: 'refused',
      };
    }
    case 'slip':
      return {
        file: 'fz-patch.zip',
        bytes: await zipRawNames([
          ['fixpack_documentation.json', DOC],
          [a.name, 'x'],
        ]),
        change: { type: 'hotfix', artifact: 'fz-patch.zip', revertible: true },
        expect: 'invalid',
      };
    case 'xml': {
      const xml = `<patch><name>hotfix-1-7210</name>${Array.from({ length: a.tags }, (_, i) => `<t${i}>`).join('')}`;
      return {
        file: 'fz-patch.zip',
        bytes: await zipBytes([
          ['fixpack_documentation.xml', xml],
          ['x.jsp', '<p/>'],
        ]),
        change: { type: 'hotfix', artifact: 'fz-patch.zip', revertible: true },
        expect: 'refused',
      };
    }
    case 'garbage':
      return {
        file: 'fz-patch.zip',
        bytes: Buffer.from(a.bytes),
        change: { type: 'fixpack', artifact: 'fz-patch.zip', revertible: true },
        expect: 'refused',
      };
  }
  throw new Error(`unknown artifact case ${a.kind}`);
}

/** Ansible inventories as a team might share them, mutated. */
const inventoryCase = fc.oneof(
  fc.record({
    kind: fc.constant('range'),
    lo: fc.constantFrom('1', '01', '0', 'a'),
    hi: fc.constantFrom('4', '99', '9999999', 'z', '1'.repeat(60)),
  }),
  fc.record({ kind: fc.constant('children'), depth: fc.integer({ min: 1, max: 3000 }), cycle: fc.boolean() }),
  fc.record({
    kind: fc.constant('vars'),
    key: fc.constantFrom('liferay_home', 'http_port', 'lb_member', 'tomcat_home', 'x'),
    value: fc.constantFrom(...ODD_STRINGS.filter((s) => !/[\n\0]/.test(s)), '99999999', '-1'),
  }),
  fc.record({ kind: fc.constant('raw'), text: fc.string({ maxLength: 200 }) }),
);

function buildInventory(c) {
  switch (c.kind) {
    case 'range':
      return `[liferay]\nlr-[${c.lo}:${c.hi}].example.net\n`;
    case 'children': {
      const lines = ['[liferay]', 'lr1.example.net'];
      for (let i = 0; i < c.depth; i++) lines.push(`[g${i}:children]`, i === 0 ? 'liferay' : `g${i - 1}`);
      if (c.cycle) lines.push('[liferay:children]', `g${c.depth - 1}`);
      return `${lines.join('\n')}\n`;
    }
    case 'vars':
      return `[liferay]\nlr1.example.net ${c.key}=${c.value.replace(/\s/g, '_') || 'x'}\nlr2.example.net\n`;
    case 'raw':
      return `[liferay]\nlr1.example.net\n${c.text}\n`;
  }
  return '';
}

/**
 * One fuzz case: `files` to write next to the example playbooks (which reference `artifacts/`,
 * `patches/`, `inventories/`), the arguments, and what lrroll must do.
 */
export function fuzzCase(corpus) {
  const base = fc.nat({ max: corpus.length - 1 });
  const command = fc.constantFrom(['validate'], ['plan'], ['plan', '--format', 'json']);
  const playbookCase = fc
    .tuple(
      base,
      command,
      fc.oneof(
        fc.record({ kind: fc.constant('data'), mutations: fc.array(dataMutation, { minLength: 1, maxLength: 3 }) }),
        fc.record({ kind: fc.constant('known'), field: knownInvalid }),
        fc.record({ kind: fc.constant('text'), mutation: textMutation }),
      ),
    )
    .map(([b, argv, m]) => {
      let data = structuredClone(corpus[b].data);
      let expect = 'any';
      if (m.kind === 'data')
        for (const mut of m.mutations) {
          const r = applyDataMutation(data, mut);
          data = r.data;
          if (r.expect === 'invalid') expect = 'invalid';
        }
      // A later mutation may delete or replace the string a NUL went into: only a NUL that is still there makes the
      // input invalid.
      if (m.kind === 'data' && expect === 'invalid' && !JSON.stringify(data ?? null).includes('\\u0000'))
        expect = 'any';
      if (m.kind === 'known') {
        data = setDotted(data, m.field[0], m.field[1]);
        expect = 'invalid';
      }
      let text = stringify(data);
      if (m.kind === 'text') {
        const r = applyTextMutation(text, m.mutation);
        text = r.text;
        expect = r.expect;
      }
      return {
        label: `${corpus[b].name} ${m.kind}`,
        argv: [...argv, 'fz-case.yml'],
        files: { 'fz-case.yml': text },
        expect,
        describe: m,
      };
    });
  const artifact = fc
    .tuple(base, artifactCase)
    .map(([b, a]) => ({ label: `${corpus[b].name} artifact ${a.kind}`, artifact: a, base: b }));
  const inventory = fc.tuple(inventoryCase, command).map(([c, argv]) => ({
    label: `inventory ${c.kind}`,
    argv: [...argv, 'fz-case.yml'],
    files: {
      'fz-case.yml':
        'lrroll: 1\nname: fuzz\ninventory: { file: fz-inventory.ini, group: liferay ' +
        '}\nloadBalancer: { type: none }\nchange: { type: restart }\n',
      'fz-inventory.ini': buildInventory(c),
    },
    expect: 'any',
    describe: c,
  }));
  return fc.oneof(
    { arbitrary: playbookCase, weight: 6 },
    { arbitrary: artifact, weight: 2 },
    { arbitrary: inventory, weight: 2 },
  );
}

/** Completes a case that needs bytes built asynchronously (artifacts). */
export async function materialize(c, corpus) {
  if (!c.artifact) return c;
  const a = await buildArtifact(c.artifact);
  const data = structuredClone(corpus[c.base].data);
  data.change = a.change;
  data.rollout = { ...(data.rollout ?? {}), strategy: 'rolling' };
  if (data.rollout.canary) delete data.rollout.canary;
  // `validate` exits 0 for a refused change (it only reports the verdict): refusals are checked with `plan`.
  return {
    label: c.label,
    argv: ['plan', 'fz-case.yml'],
    files: { 'fz-case.yml': stringify(data), [a.file]: a.bytes },
    expect: a.expect,
    describe: c.artifact,
  };
}
