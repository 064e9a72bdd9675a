import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planPlaybook, type PlanOutcome } from '../../../src/app/use-cases.js';

/** A small valid playbook; `{{FIELD}}` markers are replaced by the case under test. */
export const BASE = `lrroll: 1
name: hostile input
inventory:
  defaults:
    liferayHome: /opt/liferay
  nodes:
    - name: node1
      host: 127.0.0.1
    - name: node2
      host: 127.0.0.2
    - name: node3
      host: 127.0.0.3
loadBalancer:
  type: haproxy
  socket: /run/haproxy/admin.sock
  backend: liferay
  drainTimeout: 2m
change:
  type: restart
`;

/** Writes files into a fresh folder, plans `playbook.yml` there, removes the folder, returns the outcome. */
export async function planText(playbook: string, files: Record<string, string | Buffer> = {}): Promise<PlanOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-input-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    writeFileSync(join(dir, 'playbook.yml'), playbook);
    return await planPlaybook(join(dir, 'playbook.yml'), { vars: {}, limit: null });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The errors of an outcome as `CODE line:col summary`, for readable assertions. */
export function errorsOf(outcome: PlanOutcome): string[] {
  return outcome.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.source ? `${d.source.line}:${d.source.col}` : '-'} ${d.summary}`);
}

/** BASE with `text` replacing the first occurrence of `find`. */
export function withBase(find: string, text: string): string {
  if (!BASE.includes(find)) throw new Error(`BASE has no ${find}`);
  return BASE.replace(find, text);
}
