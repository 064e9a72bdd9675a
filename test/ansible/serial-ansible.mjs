// Runs real ansible-playbook to learn how Ansible splits hosts into batches for a grid of
// (serial, host count) cases. Used twice: `node test/ansible/serial-ansible.mjs` regenerates the
// table kept in the repo (serial-table.json), and the unit test re-runs a sample of the grid when
// ansible-playbook is installed, so the kept table cannot drift from Ansible.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** serial values as a play would write them (a scalar or a list). */
export const SERIALS = [
  1,
  2,
  3,
  5,
  10,
  0,
  -1,
  '0%',
  '1%',
  '5%',
  '10%',
  '12%',
  '14%',
  '20%',
  '25%',
  '28%',
  '29%',
  '30%',
  '33%',
  '34%',
  '50%',
  '56%',
  '57%',
  '58%',
  '66%',
  '67%',
  '70%',
  '75%',
  '99%',
  '100%',
  '150%',
  [1, '20%', -1],
  [1, 2, '50%'],
  [2, 0],
  [0, 1],
  [-1],
  ['10%', '30%', 0],
  [1, '58%'],
  ['57%'],
  [1, 2, 3],
  [3, 1],
  ['29%', 2],
];

/** Host counts each serial value is tried with. */
export const HOST_COUNTS = [1, 2, 3, 4, 5, 7, 10, 11, 13, 25, 50, 100];

/** True when ansible-playbook can be run here. */
export function hasAnsible() {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** A case's stable key, e.g. `["58%",0]@50`. */
export function caseKey(serial, hosts) {
  return `${JSON.stringify(serial)}@${hosts}`;
}

/**
 * Runs ansible-playbook once over every case (one play per case, hosts of a group `nN` in
 * inventory order) and returns `{ key: [batch sizes…] }`, read from `ansible_play_batch`.
 */
export function ansibleBatches(cases) {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-serial-'));
  try {
    const counts = [...new Set(cases.map((c) => c.hosts))];
    const max = Math.max(...counts);
    const names = Array.from({ length: max }, (_, i) => `h${String(i + 1).padStart(3, '0')}`);
    const inventory = counts.map((n) => `[n${n}]\n${names.slice(0, n).join('\n')}\n`).join('\n');
    writeFileSync(join(dir, 'inventory.ini'), `[all:vars]\nansible_connection=local\n\n${inventory}`);
    const plays = cases.map((c) => ({
      name: caseKey(c.serial, c.hosts),
      hosts: `n${c.hosts}`,
      gather_facts: false,
      serial: c.serial,
      tasks: [{ debug: { msg: "{{ ansible_play_batch | join(',') }}" }, run_once: true }],
    }));
    writeFileSync(join(dir, 'playbook.yml'), JSON.stringify(plays));
    const r = spawnSync('ansible-playbook', ['-i', join(dir, 'inventory.ini'), join(dir, 'playbook.yml')], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_LOCALHOST_WARNING: '0',
        ANSIBLE_CONFIG: join(dir, 'none.cfg'),
      },
    });
    if (r.status !== 0)
      throw new Error(`ansible-playbook failed (${r.status}): ${r.stderr || r.stdout.slice(0, 2000)}`);
    const out = {};
    for (const play of JSON.parse(r.stdout).plays) {
      const task = play.tasks[0];
      const msg = Object.values(task.hosts)[0].msg;
      (out[play.play.name] ??= []).push(msg.split(',').length);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The kept table: JSON with one case per line, so a diff shows which cases changed. */
export function formatTable(generatedBy, batches) {
  const rows = Object.entries(batches).map(([key, sizes]) => `  ${JSON.stringify(key)}: ${JSON.stringify(sizes)}`);
  return `{\n "generatedBy": ${JSON.stringify(generatedBy)},\n "batches": {\n${rows.join(',\n')}\n }\n}\n`;
}

/** Every (serial, host count) pair of the grid. */
export function gridCases() {
  return SERIALS.flatMap((serial) => HOST_COUNTS.map((hosts) => ({ serial, hosts })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const table = ansibleBatches(gridCases());
  const file = fileURLToPath(new URL('./serial-table.json', import.meta.url));
  writeFileSync(file, formatTable(version, table));
  console.log(`${Object.keys(table).length} cases from ${version} → ${file}`);
}
