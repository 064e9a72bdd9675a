import type { SourceLocation } from '../errors/diagnostics.js';
import type { Playbook } from '../playbook/playbook.generated.js';
import type { ChangeCheck, Upload } from './changes.js';
import { EXPECTED, STEP_DEADLINES, TIMINGS } from './defaults.js';
import type { NodeLbSteps } from './lb.js';
import type { ResolvedHealth } from './node-steps.js';
import { httpProbeCommand } from './health-gates.js';
import type { ResolvedNode } from './nodes.js';
import type { Templater } from './scope.js';
import { lrrollDir } from '../domain/footprint.js';
import { footprintCommand, pruneCommand } from './hygiene.js';
import { freeBytesCommand, sha256Command } from './shell/file-facts.js';
import { shq } from '../shell/quote.js';
import { serviceCheckStep } from './service-check.js';
import { makeStep } from './step.js';
import { cacheClearStep } from './cache-clear.js';
import type { ConsistencyCheckStep, PlanNode, PruneStep, Step, UploadStep } from './types.js';

/** What preflight needs to know about one node. */
interface NodePreflightInput {
  node: ResolvedNode;
  uploads: Upload[];
  checks: ChangeCheck[];
  lb: NodeLbSteps | null;
  health: ResolvedHealth;
  backupPaths: string[];
}

/** Preflight steps for one node: reachable, healthy, in rotation, disk, uploads, change checks. */
export function nodePreflight(input: NodePreflightInput): Step[] {
  const { node, health } = input;
  const n = node.plan.name;
  const home = node.plan.liferayHome;
  const steps: Step[] = [
    makeStep({
      action: 'check-reachable',
      node: n,
      title: `reachable, ${home} present and writable`,
      runOn: 'node',
      command:
        `test -d ${shq(home)} && test -w ${shq(home)} || { echo ` +
        `${shq(`lrroll: ${home} is missing or not writable`)} >&2; exit 1; }`,
      path: home,
      become: node.become,
      timeoutSec: STEP_DEADLINES.checkSec,
      expectSec: EXPECTED.checkSec,
    }),
  ];
  if (health.http) {
    steps.push(
      makeStep({
        action: 'check-node-healthy',
        node: n,
        title: `healthy: ${health.http.url} answers ${health.http.status.join('/')}`,
        runOn: 'node',
        command: httpProbeCommand(health.http.url),
        url: health.http.url,
        status: health.http.status,
        timeoutSec: STEP_DEADLINES.checkSec,
        expectSec: EXPECTED.checkSec,
      }),
    );
  }
  steps.push(serviceCheckStep(node));
  if (input.lb) steps.push(input.lb.check);
  const uploadBytes = dedupeUploads(input.uploads).reduce((sum, u) => sum + u.size, 0);
  // Staged copies, plus room for the backups and the installed copies: a conservative 3× the uploads plus 100 MiB.
  const required = uploadBytes * 3 + 100 * 1024 * 1024;
  // The same read says how much the backups and staged files of earlier runs take (`rollout.retention`).
  steps.push(
    makeStep({
      action: 'check-disk',
      node: n,
      title: `${formatBytes(required)} free under ${home}; size of ${lrrollDir(home)}`,
      runOn: 'node',
      command: `${freeBytesCommand(home)}\n${footprintCommand(home)}`,
      become: node.become,
      path: home,
      requiredBytes: required,
      timeoutSec: STEP_DEADLINES.checkSec,
      expectSec: EXPECTED.checkSec,
    }),
  );
  for (const u of dedupeUploads(input.uploads)) steps.push(uploadStep(node, u));
  for (const c of input.checks) steps.push(checkStep(node, c));
  return steps;
}

function dedupeUploads(uploads: Upload[]): Upload[] {
  const seen = new Map<string, Upload>();
  for (const u of uploads) seen.set(u.remotePath, u);
  return [...seen.values()];
}

function uploadStep(node: ResolvedNode, u: Upload): UploadStep {
  return makeStep<UploadStep>({
    action: 'upload',
    node: node.plan.name,
    title: `upload ${u.artifact} (${formatBytes(u.size)}) → ${u.remotePath}`,
    runOn: 'node',
    command: sha256Command(u.remotePath),
    localPath: u.localPath,
    remotePath: u.remotePath,
    sha256: u.sha256,
    size: u.size,
    become: false,
    checksumTimeoutSec: TIMINGS.checksumSec,
    timeoutSec: STEP_DEADLINES.uploadBaseSec + Math.ceil(u.size / STEP_DEADLINES.uploadBytesPerSec),
    expectSec: Math.max(1, Math.round(u.size / EXPECTED.uploadBytesPerSec)),
    waitsFor: `sha256 ${u.sha256.slice(0, 12)}… on the node (skipped when already there)`,
  });
}

function checkStep(node: ResolvedNode, c: ChangeCheck): Step {
  const common = {
    node: node.plan.name,
    runOn: 'node' as const,
    command: c.command,
    become: node.become,
    timeoutSec: STEP_DEADLINES.changeCheckSec,
    expectSec: EXPECTED.checkSec,
  };
  switch (c.action) {
    case 'check-schema-version':
      return makeStep({
        action: c.action,
        ...common,
        title:
          `installed schema of ${c.bundle} ` +
          (c.expected
            ? `is ${c.expected.installed ? (c.expected.schemaVersion ?? 'none') : 'not installed'} (node facts), `
            : '') +
          `compatible with ${c.newVersion}`,
        bundle: c.bundle,
        newVersion: c.newVersion,
        expected: c.expected,
      });
    case 'check-patch-level':
      return makeStep({
        action: c.action,
        ...common,
        title:
          c.expected !== null
            ? `installed fix pack level is ${c.expected || 'none'}; to ${c.target} crosses no breaking level`
            : `installed fix pack level to ${c.target} crosses no breaking level`,
        expected: c.expected,
        target: c.target,
        breakingLevels: c.breakingLevels,
      });
    case 'check-java-version':
      return makeStep({ action: c.action, ...common, title: `running Java is ${c.expected}`, expected: c.expected });
    case 'check-release':
      return makeStep({
        action: c.action,
        ...common,
        timeoutSec: STEP_DEADLINES.releaseCheckSec,
        title:
          `runs Liferay ${c.expected}` +
          (c.schemas.length
            ? `; no schema of the new release's ${c.schemas.length} Service Builder bundle(s) moves major/minor`
            : ''),
        expected: c.expected,
        schemas: c.schemas,
      });
  }
}

/**
 * The once-per-run final steps: cache clear (when asked) and the consistency check (per node, from its own paths;
 * `propertyFiles`: node → the properties files the run edits there).
 */
export function finalSteps(
  playbook: Playbook,
  nodes: ResolvedNode[],
  propertyFiles: ReadonlyMap<string, readonly string[]>,
  templater: Templater,
  locateClearCache: (field: string) => SourceLocation,
): Step[] {
  const steps: Step[] = [];
  const first = nodes[0];
  const clear = playbook.rollout?.clearCache;
  if (clear && first) steps.push(...cacheClearStep(clear, first, templater, locateClearCache));
  if ((playbook.rollout?.consistencyCheck ?? true) && nodes.length > 0) {
    const keys = propertyKeys(playbook);
    const fingerprintCommands = Object.fromEntries(
      nodes.map((n) => [n.plan.name, fingerprintCommand(n.plan, keys, propertyFiles.get(n.plan.name) ?? [])]),
    );
    steps.push(
      makeStep<ConsistencyCheckStep>({
        action: 'consistency-check',
        node: null,
        title:
          `every node reports the same patch level` +
          `${keys.length ? ', modules and changed properties' : ' and modules'} (${nodes.length} nodes)`,
        runOn: 'node',
        nodes: nodes.map((n) => n.plan.name),
        command: null,
        fingerprintCommands,
        fingerprintTimeoutSec: TIMINGS.fingerprintSec,
        timeoutSec: STEP_DEADLINES.consistencyCheckSec,
        expectSec: 5,
        waitsFor: 'one fingerprint across the cluster',
      }),
    );
  }
  return steps;
}

/**
 * Prints what must match across the cluster after the run, read from the node's own paths: the
 * installed patches, the module files, and the values of the portal properties this playbook
 * sets or unsets in the files it edits on that node (other keys may differ per node, e.g.
 * Cluster Link bind addresses).
 */
function fingerprintCommand(node: PlanNode, propertyKeys: readonly string[], propertyFiles: readonly string[]): string {
  const home = shq(node.liferayHome);
  const lines = [
    `if [ -x ${home}/patching-tool/patching-tool.sh ]; then (cd ${home}` +
      `/patching-tool && ./patching-tool.sh info 2>/dev/null | sed -n 's/^ *Currently installed ` +
      `patches: */patches: /p'); fi`,
    `for d in osgi/modules osgi/war osgi/marketplace; do [ -d ${home}/"$d" ] && (cd ${home}` +
      `/"$d" && ls -1 | sed "s|^|$d/|"); done`,
  ];
  if (propertyKeys.length > 0 && propertyFiles.length > 0) {
    const pattern = propertyKeys.map((k) => k.replace(/[.[\]\\*^$+?(){}|]/g, '\\$&')).join('|');
    for (const file of propertyFiles)
      lines.push(
        `if [ -f ${shq(file)} ]; then grep -E ${shq(`^[[:space:]]*(${pattern})[[:space:]]*[=:]`)} ` +
          `${shq(file)} | sort; fi`,
      );
  }
  return lines.join('\n');
}

/** The portal property keys the playbook's changes set or unset. */
function propertyKeys(playbook: Playbook): string[] {
  const changes = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  return changes.flatMap((c) =>
    c.type === 'portal-properties' ? [...Object.keys(c.set ?? {}), ...(c.unset ?? [])] : [],
  );
}

/** Formats a byte count for people. */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * The final step of a node: keep the backups and staged files of the last `keep` runs, this one included (see
 * hygiene.ts).
 */
export function pruneStep(node: ResolvedNode, uploads: readonly Upload[], keep: number): PruneStep {
  const staged = [...new Set(uploads.map((u) => u.remotePath.slice(u.remotePath.lastIndexOf('/') + 1)))].sort();
  const path = lrrollDir(node.plan.liferayHome);
  return makeStep<PruneStep>({
    action: 'prune',
    node: node.plan.name,
    title:
      `${node.plan.name}: keep the backups and staged files of the last ${keep} run(s) in ${path}` +
      `, remove older ones`,
    runOn: 'node',
    command: pruneCommand({ liferayHome: node.plan.liferayHome, thisRun: true, staged, keep }),
    become: node.become,
    path,
    keep,
    timeoutSec: STEP_DEADLINES.pruneSec,
    expectSec: 2,
  });
}
