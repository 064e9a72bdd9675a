// Watchdog for one test cluster (started detached by cluster.ts).
// Usage: node reaper.mjs <parentPid> <parentStartTime> <stateFile>
// If the process that started the cluster dies without calling stop() (SIGKILL, crash, vitest
// killing a worker), this kills everything listed in the state file — processes recorded by
// pid + start time, and every process living in one of the cluster's mount namespaces — then
// removes the cluster directory. It exits by itself once the state file is gone (normal stop()).
import { readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';

const [parentPidArg, parentStartArg, stateFile] = process.argv.slice(2);
const parentPid = Number(parentPidArg);
const parentStart = parentStartArg;

function stat(pid) {
  // Returns { state, start } or null. Field 2 (comm) may contain spaces: split after the last ')'.
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], start: rest[19] };
  } catch {
    return null;
  }
}

function alive(pid, start) {
  const s = stat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X' && (start === undefined || s.start === start);
}

function readState() {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return null;
  }
}

function namespaceMembers(state) {
  const out = [];
  const homes = (state.nodes ?? []).filter((n) => n.mntNs);
  if (!homes.length) return out;
  let self = '';
  try {
    self = readlinkSync('/proc/self/ns/mnt');
  } catch {}
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let ns;
    try {
      ns = readlinkSync(`/proc/${name}/ns/mnt`);
    } catch {
      continue;
    }
    if (ns === self) continue;
    const node = homes.find((h) => h.mntNs === ns);
    if (!node) continue;
    try {
      const st = statSync(`/proc/${name}/root${node.remoteHome ?? '/opt/liferay'}`);
      if (st.dev === node.homeDev && st.ino === node.homeIno) out.push(Number(name));
    } catch {}
  }
  return out;
}

function reap() {
  const state = readState();
  if (!state) process.exit(0);
  for (let round = 0; round < 3; round++) {
    for (const p of state.pids ?? [])
      if (alive(p.pid, p.start))
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {}
    // Process groups (httpd: a parent and its children).
    for (const g of state.groups ?? [])
      try {
        process.kill(-g, 'SIGKILL');
      } catch {}
    for (const pid of namespaceMembers(state))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
  }
  try {
    rmSync(state.dir, { recursive: true, force: true });
  } catch {}
  process.exit(0);
}

process.on('SIGTERM', () => process.exit(0));
setInterval(() => {
  if (!readState()) process.exit(0);
  if (!alive(parentPid, parentStart)) reap();
}, 500);
