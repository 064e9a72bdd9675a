import type { Io } from '../../src/cli/io.js';
import type { FuzzCase } from './cases.mjs';

/** What one run gave. */
export interface CaseResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  rssMb?: number;
  died?: boolean;
  timedOut?: boolean;
}

export const PER_INPUT: { maxMs: number; maxRssMb: number };
export function classify(
  c: FuzzCase,
  r: CaseResult,
): Array<'crash' | 'hang' | 'memory' | 'unlocated' | 'invalid-accepted'>;
export function makeCaseDir(playbooksDir: string): string;
export function runCase(
  runCli: (argv: string[], io: Io) => Promise<number>,
  dir: string,
  c: Pick<FuzzCase, 'argv' | 'files'>,
): Promise<CaseResult>;
