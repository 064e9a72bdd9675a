// What lrroll keeps on a node under `<liferayHome>/.lrroll/`, and the footprint line that measures it
// (plan/hygiene.ts writes the command; preflight and `lrroll clean` read its answer).

/** The folder lrroll keeps its files in on a node. */
export function lrrollDir(liferayHome: string): string {
  return `${liferayHome}/.lrroll`;
}

/** The footprint line in a command's output, or null when it has none. */
export function parseFootprint(out: string): { bytes: number; backups: number } | null {
  const m = /^lrroll-footprint (\d+) (\d+)$/m.exec(out);
  return m ? { bytes: Number(m[1]), backups: Number(m[2]) } : null;
}

/** A footprint as preflight and `lrroll clean` say it. */
export function describeFootprint(path: string, f: { bytes: number; backups: number }): string {
  const mib = f.bytes / 1048576;
  return `${path} holds ${mib >= 10 ? Math.round(mib) : mib.toFixed(1)} MiB of backups (${f.backups}) and staged files`;
}
