/**
 * A patch's documentation file (fixpack_documentation.json, or the older .xml): its name, product,
 * requirements and fixed issues. Every value is made printable; a name that is not a patch name is
 * reported rather than used.
 */
import { isPatchName, printable } from './checks.js';
import { allText, findElement, parseXml, type XmlElement } from './xml.js';

/** What the documentation says. */
export interface DocFacts {
  name: string | null;
  product: string | null;
  requirements: string[];
  fixedIssues: number;
}

/** Largest documentation element tree read (real files have tens of elements). */
const XML_LIMITS = { maxDepth: 64, maxElements: 100_000 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toText(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  return value.trim() || null;
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(toText).filter((v): v is string => v !== null);
  const text = toText(value);
  return text === null
    ? []
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function countIssues(value: unknown): number {
  if (Array.isArray(value)) return value.filter((v) => isRecord(v) || toText(v) !== null).length;
  if (isRecord(value)) return Object.keys(value).length;
  const text = toText(value);
  return text === null ? 0 : text.split(/[\s,]+/).filter((s) => s !== '').length;
}

/** Parses fixpack_documentation.json; fields may sit under `patch` or at the top level. Throws on invalid JSON. */
export function parseJsonDocumentation(text: string): DocFacts {
  const root: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
  if (!isRecord(root)) throw new Error('the document is not a JSON object');
  const patch = isRecord(root['patch']) ? root['patch'] : {};
  const field = (...keys: string[]): unknown => {
    for (const key of keys) {
      if (patch[key] !== undefined) return patch[key];
      if (root[key] !== undefined) return root[key];
    }
    return undefined;
  };
  return {
    name: toText(field('name')) ?? toText(field('id')),
    product: toText(field('product')),
    requirements: toList(field('requirements')),
    fixedIssues: countIssues(field('fixed-issues', 'fixed_issues', 'fixedIssues')),
  };
}

/** Items of a list element: its child elements' texts, else its text split on commas. */
function xmlList(element: XmlElement | null): string[] {
  if (element === null) return [];
  if (element.children.length > 0) return element.children.map((c) => allText(c).trim()).filter((s) => s !== '');
  return toList(element.text);
}

/**
 * Parses fixpack_documentation.xml with a real XML parser; null when no patch field is present. Throws on malformed
 * XML.
 */
export function parseXmlDocumentation(text: string): DocFacts | null {
  const root = parseXml(text, XML_LIMITS);
  const scope = findElement(root, 'patch') ?? root;
  const textOf = (tag: string): string | null => {
    const element = findElement(scope, tag);
    return element === null ? null : toText(allText(element));
  };
  const facts: DocFacts = {
    name: textOf('name') ?? textOf('id'),
    product: textOf('product'),
    requirements: xmlList(findElement(scope, 'requirements')),
    fixedIssues: xmlList(findElement(scope, 'fixed-issues')).flatMap((s) => s.split(/\s+/)).length,
  };
  const empty =
    facts.name === null && facts.product === null && facts.requirements.length === 0 && facts.fixedIssues === 0;
  return empty ? null : facts;
}

/** The facts with every value printable; `invalid` says why the name cannot be used (it is then dropped). */
export function sanitizeDoc(facts: DocFacts): DocFacts & { invalid: string | null } {
  const name = facts.name;
  const invalid =
    name !== null && !isPatchName(name)
      ? `its documentation names the patch \`${printable(name, 80)}\`, which is not a patch name`
      : null;
  return {
    name: invalid ? null : name,
    product: facts.product === null ? null : printable(facts.product, 80),
    requirements: facts.requirements.slice(0, 50).map((r) => printable(r, 80)),
    fixedIssues: facts.fixedIssues,
    invalid,
  };
}
