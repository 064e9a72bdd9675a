import type { Plan, Step } from '../plan/types.js';

/**
 * Renders a plan as a Mermaid flowchart: preflight, then each batch (its nodes' steps in order), then the final steps.
 */
export function renderPlanMermaid(plan: Plan): string {
  const lines = [
    'flowchart TD',
    `  title["${esc(plan.name)}<br/>${plan.verdict.level}` +
      `${plan.verdict.changes.some((c) => c.override) ? ' (overridden)' : ''} · ${plan.policy.strategy}` +
      ` · plan ${plan.hash.slice(0, 12)}"]`,
  ];
  lines.push(
    `  preflight["Preflight: ${plan.preflight.length} checks and uploads on ${plan.nodes.length} node(s)"]`,
    '  title --> preflight',
  );
  let previous = 'preflight';
  for (const b of plan.batches) {
    const id = `batch${b.index}`;
    lines.push(
      `  subgraph ${id}["Batch ${b.index}${b.canary ? ' (canary)' : ''}: ${esc(b.nodes.join(', '))}"]`,
      '    direction TB',
    );
    const chain = [...b.before.map((s) => stepNode(`${id}_before`, s))];
    for (const np of b.nodePlans) chain.push(...np.steps.map((s) => stepNode(`${id}_${safe(np.node)}`, s)));
    chain.push(...b.after.map((s) => stepNode(`${id}_after`, s)));
    for (const n of chain) lines.push(`    ${n.id}["${n.label}"]`);
    for (let i = 1; i < chain.length; i++) lines.push(`    ${chain[i - 1]?.id} --> ${chain[i]?.id}`);
    lines.push('  end', `  ${previous} --> ${id}`);
    previous = id;
  }
  if (plan.finally.length > 0) {
    lines.push(
      `  final["After the last batch: ${esc(plan.finally.map((s) => s.title).join('; '))}"]`,
      `  ${previous} --> final`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function stepNode(prefix: string, s: Step): { id: string; label: string } {
  return {
    id: safe(`${prefix}_${s.id.split('/').pop() ?? s.action}`),
    label: esc(`${s.node ? `${s.node}: ` : ''}${s.title}`),
  };
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}

function esc(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
