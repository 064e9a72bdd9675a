/** The local files a playbook ships to its nodes: found next to the playbook, checked, then inspected. */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ArtifactKind } from '../artifacts/inspect.js';
import type { ArtifactFacts } from '../artifacts/types.js';
import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import type { Change, Playbook } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';

/** The local files a change names, with the kind of inspection each needs. */
function artifactRefs(change: Change): Array<{ path: string; kind: ArtifactKind; field: Array<string | number> }> {
  switch (change.type) {
    case 'module':
    case 'theme':
      return [{ path: change.artifact, kind: 'bundle', field: ['artifact'] }];
    case 'fixpack':
    case 'hotfix':
      return [{ path: change.artifact, kind: 'patch', field: ['artifact'] }];
    case 'fixpack-revert':
      return change.artifact === undefined ? [] : [{ path: change.artifact, kind: 'patch', field: ['artifact'] }];
    case 'activation-key':
      return [{ path: change.artifact, kind: 'file', field: ['artifact'] }];
    case 'osgi-config':
      return (change.files ?? []).map((f, i) => ({
        path: f.source,
        kind: 'file' as const,
        field: ['files', i, 'source'],
      }));
    case 'app-server':
      return (change.files ?? []).map((f, i) => ({
        path: f.source,
        kind: 'file' as const,
        field: ['files', i, 'source'],
      }));
    case 'release':
      return change.bundle
        ? [{ path: change.bundle, kind: 'release', field: ['bundle'] }]
        : (change.lpkgs ?? []).map((p, i) => ({ path: p, kind: 'release' as const, field: ['lpkgs', i] }));
    case 'portal-properties':
      return change.source === undefined ? [] : [{ path: change.source, kind: 'properties', field: ['source'] }];
    case 'jvm-settings':
      return change.source === undefined ? [] : [{ path: change.source, kind: 'setenv', field: ['source'] }];
    default:
      return [];
  }
}

/**
 * Checks every artifact the playbook names (its path, that it is a file) and inspects them; what cannot be trusted
 * becomes a diagnostic.
 */
export async function loadArtifacts(
  playbook: Playbook,
  file: string,
  sm: SourceMap,
  diagnostics: Diagnostic[],
): Promise<Map<string, ArtifactFacts>> {
  const changes = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  const requests = new Map<string, { path: string; absPath: string; kind: ArtifactKind }>();
  const places = new Map<string, SourceLocation>();
  for (const [i, change] of changes.entries()) {
    for (const ref of artifactRefs(change)) {
      const absPath = resolve(dirname(file), ref.path);
      const where = sm.locate(Array.isArray(playbook.change) ? ['change', i, ...ref.field] : ['change', ...ref.field]);
      // Its file name becomes part of paths on every node: one line, no pattern characters.
      if (/[\r\n*?[\]]/.test(ref.path)) {
        diagnostics.push({
          severity: 'error',
          code: 'E_ARTIFACT',
          summary: `artifact \`${ref.path.replace(/[\r\n]/g, '\\n')}\` has a line break or one of \`*?[]\` in its name`,
          source: where,
          hint: 'rename the file',
        });
        continue;
      }
      const st = await stat(absPath).catch(() => undefined);
      if (!st?.isFile()) {
        diagnostics.push({
          severity: 'error',
          code: 'E_ARTIFACT',
          summary: `artifact \`${ref.path}\` ${st ? 'is not a file' : 'does not exist'} (looked for ${absPath})`,
          source: where,
          hint: 'artifact paths are relative to the playbook file',
        });
        continue;
      }
      requests.set(ref.path, { path: ref.path, absPath, kind: ref.kind });
      if (!places.has(ref.path)) places.set(ref.path, where);
    }
  }
  if (requests.size === 0) return new Map();
  // The zip and XML readers load only for a playbook that ships artifacts (a restart ships none).
  const { inspectArtifacts } = await import('../artifacts/inspect.js');
  const facts = await inspectArtifacts([...requests.values()]);
  for (const f of facts.values()) {
    if (f.invalid === null) continue;
    diagnostics.push({
      severity: 'error',
      code: 'E_ARTIFACT',
      summary: `artifact \`${f.path}\`: ${f.invalid}`,
      source: places.get(f.path),
      hint:
        'lrroll does not use an artifact it cannot trust: check where this file came from, and rebuild ' +
        'or download it again',
    });
  }
  return facts;
}
