import type { Arbitrary } from 'fast-check';

/** One example playbook, parsed. */
export interface CorpusEntry {
  name: string;
  data: Record<string, unknown>;
}

/** A fuzz case ready to run: files to write, the arguments, and what lrroll must do. */
export interface FuzzCase {
  label: string;
  argv: string[];
  files: Record<string, string | Buffer>;
  expect: 'any' | 'invalid' | 'refused';
  describe: unknown;
}

export function loadCorpus(playbooksDir: string): CorpusEntry[];
export function fuzzCase(corpus: CorpusEntry[]): Arbitrary<unknown>;
export function materialize(raw: unknown, corpus: CorpusEntry[]): Promise<FuzzCase>;
export function zipBytes(entries: Array<[string, string | Buffer]>): Promise<Buffer>;
