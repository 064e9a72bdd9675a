/** Levenshtein edit distance between two strings (case-insensitive). */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/** The closest candidate to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** A "did you mean" hint, or a list of the allowed names when nothing is close. */
export function suggestHint(word: string, candidates: readonly string[], noun = 'key'): string {
  const match = closest(word, candidates);
  if (match) return `did you mean \`${match}\`?`;
  if (candidates.length === 0) return `no ${noun}s are allowed here`;
  return `allowed ${noun}s: ${candidates.map((c) => `\`${c}\``).join(', ')}`;
}
