/** What a change contributes to a node's steps, and the helpers every change type builds them with. */
import type { ArtifactFacts } from '../artifacts/types.js';
import type { SourceLocation } from '../errors/diagnostics.js';
import { EXPECTED, STEP_DEADLINES } from './defaults.js';
import type { FactsIndex } from './facts.js';
import type { ResolvedNode } from './nodes.js';
import type { ChangePreview } from './preview.js';
import type { Templater } from './scope.js';
import { sha256Command } from './shell/file-facts.js';
import { shq } from '../shell/quote.js';

/** A file to upload to the node during preflight. */
export interface Upload {
  /** Artifact path as written in the playbook. */
  artifact: string;
  /**
   * Path on this machine relative to the playbook's folder, so the plan (and its hash) does not depend on where the
   * repository is checked out.
   */
  localPath: string;
  remotePath: string;
  sha256: string;
  size: number;
}

/** A preflight check a change needs. */
export type ChangeCheck =
  | {
      action: 'check-schema-version';
      bundle: string;
      newVersion: string;
      expected: { installed: boolean; schemaVersion: string | null } | null;
      command: string;
    }
  | { action: 'check-patch-level'; expected: string | null; target: string; breakingLevels: string[]; command: string }
  | { action: 'check-java-version'; expected: string; command: string }
  | {
      action: 'check-release';
      expected: string;
      schemas: Array<{ bundle: string; schemaVersion: string }>;
      command: string;
    };

/** The command that applies a change on a node. */
export interface ApplySpec {
  command: string;
  secretEnv: string[];
  expectSec: number;
  timeoutSec: number;
  /** Undoes the change after the backup is restored, or null when restoring is enough. */
  revert: string | null;
  pointOfNoReturn: boolean;
}

/** Everything one change contributes to one node's steps. */
export interface ChangeSteps {
  /** The change type, e.g. `fixpack`. */
  type: string;
  title: string;
  uploads: Upload[];
  backupPaths: string[];
  /** The apply command, or null when the change has nothing to apply (restart only). */
  apply: ApplySpec | null;
  verify: { title: string; command: string } | null;
  /** Runs after draining but before the stop (custom `when: running`). */
  whileRunning: boolean;
  /** Bundle symbolic names whose STARTED line the health gate waits for. */
  bundles: string[];
  checks: ChangeCheck[];
  /**
   * What `lrroll diff` reads on the node and shows next to what this change would make of it (`change` is set by the
   * compiler).
   */
  preview: PreviewDraft[];
}

/** A preview before the compiler numbers it with its change's index. */
type PreviewDraft = ChangePreview extends infer P ? (P extends unknown ? Omit<P, 'change'> : never) : never;

/** What compiling a change needs besides the change itself. */
export interface ChangeContext {
  node: ResolvedNode;
  artifacts: ReadonlyMap<string, ArtifactFacts>;
  /** Known breaking fix pack levels shipped with lrroll (a change may add its own). */
  breakingLevels: readonly string[];
  /** The node facts known before the run (declared or gathered): preflight confirms them. */
  facts: FactsIndex;
  templater: Templater;
  /** Locates a field of this change. */
  locate: (field: ReadonlyArray<string | number>) => SourceLocation;
}

/** One apply command with no upload, verify or check yet. */
export function simple(
  title: string,
  backupPaths: string[],
  command: string,
  secretEnv: string[] = [],
): ChangeSteps & { apply: ApplySpec } {
  return {
    type: '',
    title,
    uploads: [],
    backupPaths,
    apply: {
      command,
      secretEnv,
      expectSec: EXPECTED.applySec,
      timeoutSec: STEP_DEADLINES.applySec,
      revert: null,
      pointOfNoReturn: false,
    },
    verify: null,
    whileRunning: false,
    bundles: [],
    checks: [],
    preview: [],
  };
}

/** The staged copy of an artifact on a node: content-addressed, so a re-upload of the same file is skipped. */
function stagedPath(node: ResolvedNode, facts: ArtifactFacts): string {
  return `${node.plan.stagingDir}/${(facts.sha256 ?? 'unknown').slice(0, 16)}-${facts.fileName}`;
}

/** The upload of an artifact to this node's staging folder. */
export function upload(artifact: string, ctx: ChangeContext): Upload {
  const facts = ctx.artifacts.get(artifact);
  if (!facts) throw new Error(`artifact ${artifact} was not inspected`);
  return {
    artifact,
    localPath: artifact,
    remotePath: stagedPath(ctx.node, facts),
    sha256: facts.sha256 ?? '',
    size: facts.size,
  };
}

/** Copies a staged file into place atomically (temp file in the target folder, then rename). */
export function installFileCommand(staged: string, dest: string): string {
  const dir = dest.slice(0, dest.lastIndexOf('/')) || '/';
  const tmp = `${dir}/.${dest.slice(dir.length + 1)}.lrroll-tmp`;
  return `mkdir -p ${shq(dir)} && cp ${shq(staged)} ${shq(tmp)} && mv -f ${shq(tmp)} ${shq(dest)}`;
}

/** Fails unless `dest` has the expected sha256. */
export function verifySha(dest: string, sha256: string): string {
  return (
    `[ "$(sh -c ${shq(sha256Command(dest))})" = ${shq(sha256)} ] || { echo ` +
    `${shq(`lrroll: ${dest} does not have the expected checksum`)} >&2; exit 1; }`
  );
}

/** Uploads files in preflight and installs each at its destination, verified by checksum. */
export function fileInstallSteps(
  title: string,
  files: ReadonlyArray<{ source: string; dest: string }>,
  ctx: ChangeContext,
): ChangeSteps & { apply: ApplySpec } {
  const uploads = files.map((f) => upload(f.source, ctx));
  const out = simple(
    `${title}: ${files.map((f) => f.dest).join(', ')}`,
    files.map((f) => f.dest),
    files.map((f, i) => installFileCommand((uploads[i] as Upload).remotePath, f.dest)).join(' && '),
  );
  out.uploads.push(...uploads);
  files.forEach((f, i) =>
    out.preview.push({
      kind: 'install',
      path: f.dest,
      sha256: (uploads[i] as Upload).sha256,
      size: (uploads[i] as Upload).size,
    }),
  );
  out.verify = {
    title: `${files.length} file(s) in place with the expected checksums`,
    command: files.map((f, i) => verifySha(f.dest, (uploads[i] as Upload).sha256)).join(' && '),
  };
  return out;
}

/** A list of templated commands as one `set -e` script, with the secrets it references. */
export function commandList(
  commands: readonly string[],
  ctx: ChangeContext,
  field: string[],
): { command: string; secretEnv: string[] } {
  const secret = new Set<string>();
  const lines = commands.map((c, i) => {
    const r = ctx.templater.render(c, ctx.node.scope, 'shell', ctx.locate([...field, i]), ctx.node.plan.name);
    r.secretEnv.forEach((s) => secret.add(s));
    return r.text;
  });
  return { command: ['set -e', ...lines].join('\n'), secretEnv: [...secret].sort() };
}

/** A path as given when absolute, else under `base`. */
export function absoluteUnder(base: string, path: string): string {
  return path.startsWith('/') ? path : `${base}/${path}`;
}

/** The file name of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
