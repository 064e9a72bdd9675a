// The one home of the `diff` package: which lines a text edit removes and adds.
import { diffLines } from 'diff';

/** Removed and added lines from `before` to `after`, in order (unchanged lines left out). */
export function changedLines(before: string, after: string): Array<{ op: '-' | '+'; text: string }> {
  const out: Array<{ op: '-' | '+'; text: string }> = [];
  for (const part of diffLines(before, after)) {
    if (!part.added && !part.removed) continue;
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) out.push({ op: part.added ? '+' : '-', text: text.replace(/\r$/, '') });
  }
  return out;
}
