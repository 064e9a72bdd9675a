import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../errors/diagnostics.js';

/** A path into the parsed document: map keys and sequence indexes. */
export type DocPath = ReadonlyArray<string | number>;

/** Maps document paths to file positions. */
export interface SourceMap {
  /** The file the document came from. */
  readonly file: string;
  /** Position of the value at `path` (or of the nearest ancestor that exists). */
  locate(path: DocPath): SourceLocation;
  /** Position of the key `key` inside the map at `path` (falls back to the map). */
  locateKey(path: DocPath, key: string): SourceLocation;
}

/** Builds a SourceMap over a parsed YAML document. */
export function createSourceMap(doc: Document, lineCounter: LineCounter, file: string): SourceMap {
  const at = (offset: number | undefined): SourceLocation => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col };
  };
  const nodeAt = (path: DocPath): YamlNode | undefined => {
    let node: unknown = doc.contents;
    let last: YamlNode | undefined = isNodeLike(node) ? node : undefined;
    for (const segment of path) {
      node = childOf(node, segment);
      if (!isNodeLike(node)) break;
      last = node;
    }
    return last;
  };
  return {
    file,
    locate: (path) => at(nodeAt(path)?.range?.[0]),
    locateKey: (path, key) => {
      const parent = nodeAt(path);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair && isScalar(pair.key)) return at(pair.key.range?.[0]);
      }
      return at(parent?.range?.[0]);
    },
  };
}

function isNodeLike(value: unknown): value is YamlNode {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function childOf(node: unknown, segment: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    return pair?.value ?? undefined;
  }
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  return undefined;
}
