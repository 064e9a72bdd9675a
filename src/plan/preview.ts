// What a change would make of a node, in terms `lrroll diff` can read on the node beforehand and
// show next to the current state. Pure: the previews are built with the change's steps, and the
// prediction of the patch level after a patch works on what the node reported.
import { parseLevel } from '../domain/levels.js';

/** One thing a change does to a node that can be read before it is done. */
export type ChangePreview =
  /** A text file passed through a filter (the same filter the apply step writes with): the lines that change. */
  | { kind: 'edit'; change: number; file: string; filter: string }
  /** A file put in place with this content (a new file or a replacement). */
  | { kind: 'install'; change: number; path: string; sha256: string; size: number }
  /** A file removed. */
  | { kind: 'remove'; change: number; path: string }
  /** The Patching Tool's installed patches: `add` installs a patch, `remove` takes one out. */
  | {
      kind: 'patches';
      change: number;
      home: string;
      profile: string | null;
      add: string | null;
      remove: string | null;
      fixpack: boolean;
    }
  /** A bundle installed: its new version, and the installed files it replaces (`replaces` glob, in `dirs`). */
  | {
      kind: 'module';
      change: number;
      home: string;
      bundle: string;
      version: string;
      file: string;
      replaces: string | null;
    }
  /** Commands lrroll cannot preview (custom, os-upgrade): named so the diff does not look complete when it is not. */
  | { kind: 'opaque'; change: number; title: string };

/**
 * The patches a node has after a patch change, from the list it reports now (Patching Tool semantics: one fix pack per
 * family).
 */
export function patchesAfter(
  current: readonly string[],
  preview: Extract<ChangePreview, { kind: 'patches' }>,
): string[] {
  let out = [...current];
  if (preview.remove) {
    const gone = preview.remove.replace(/\.zip$/i, '');
    out = out.filter((p) => !p.includes(gone));
  }
  if (preview.add) {
    const added = preview.add;
    const family = preview.fixpack ? parseLevel(added)?.family : undefined;
    if (family) out = out.filter((p) => parseLevel(p)?.family !== family || /hotfix/i.test(p));
    if (!out.includes(added)) out.push(added);
  }
  return out;
}

/** The patch names of a `Currently installed patches:` value (comma- or space-separated). */
export function parsePatchList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !/^none$/i.test(p));
}

/**
 * `lrroll diff --format json`: per node, what it has now next to what the change would make of it.
 * DIFF_FORMAT_VERSION must be bumped on any change to these types.
 */
export const DIFF_FORMAT_VERSION = 1;

/** The whole diff. */
export interface DiffReport {
  formatVersion: typeof DIFF_FORMAT_VERSION;
  /** The plan hash the diff was computed for (the same `lrroll plan` shows). */
  plan: string;
  playbook: string;
  /** `--limit` as given, or null. */
  limit: string[] | null;
  nodes: NodeDiff[];
}

/** One node: read over its transport, nothing changed. */
export interface NodeDiff {
  node: string;
  host: string;
  /** False when the node could not be reached; `problem` says why and nothing else is filled in. */
  reachable: boolean;
  problem: string | null;
  /** Installed patches now and after, or null when no change touches the Patching Tool. */
  patches: { current: string[]; after: string[]; problem: string | null } | null;
  modules: ModuleDiff[];
  /** Text files edited in place (portal-ext.properties, setenv.sh blocks): only the lines that change. */
  edits: EditDiff[];
  /** Files put in place or removed whole. */
  files: FileDiff[];
  /** Changes lrroll cannot preview (their commands run as written). */
  opaque: string[];
  /** True when anything differs between now and after on this node. */
  changes: boolean;
}

/** A bundle: the versions installed now (every copy found) and the one the change installs. */
export interface ModuleDiff {
  bundle: string;
  current: Array<{ version: string; file: string }>;
  after: { version: string; file: string };
  /** Installed files the change removes (its `replaces` pattern). */
  removed: string[];
  problem: string | null;
}

/** A file whose lines change. */
export interface EditDiff {
  file: string;
  /** False when the file does not exist yet (the change creates it). */
  exists: boolean;
  /** Removed (`-`) and added (`+`) lines, in file order. */
  lines: Array<{ op: '-' | '+'; text: string }>;
  problem: string | null;
}

/** A file replaced, added or removed. */
export interface FileDiff {
  path: string;
  current: { sha256: string; size: number } | null;
  /** null: the change removes it. */
  after: { sha256: string; size: number } | null;
  problem: string | null;
}
