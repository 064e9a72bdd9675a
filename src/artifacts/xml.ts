/**
 * The only module that talks to saxes: a strict, streaming XML parser that reads its input once
 * (linear time, no regular expressions that can backtrack, no entity expansion beyond XML's five),
 * used for the XML form of a patch's documentation.
 */
import { SaxesParser } from 'saxes';

/** One element: its name, its own text (text and CDATA directly inside it) and its child elements. */
export interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

/** Why an XML document could not be read. */
class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

/** Bounds on what one document may hold. */
interface XmlLimits {
  maxDepth: number;
  maxElements: number;
}

/** Parses a well-formed XML document into its element tree (the root element); throws XmlError. */
export function parseXml(text: string, limits: XmlLimits): XmlElement {
  const top: XmlElement = { name: '', text: '', children: [] };
  const open: XmlElement[] = [top];
  let elements = 0;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (err) => {
    throw new XmlError(err.message);
  });
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements) throw new XmlError(`more than ${limits.maxElements} elements`);
    if (open.length > limits.maxDepth) throw new XmlError(`elements nested more than ${limits.maxDepth} levels deep`);
    const element: XmlElement = { name: tag.name, text: '', children: [] };
    (open[open.length - 1] as XmlElement).children.push(element);
    open.push(element);
  });
  parser.on('closetag', () => void open.pop());
  const addText = (t: string): void => {
    const current = open[open.length - 1] as XmlElement;
    current.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.write(text.replace(/^\uFEFF/, '')).close();
  const root = top.children[0];
  if (root === undefined) throw new XmlError('no root element');
  return root;
}

/** All text inside an element, its descendants' included, in document order (iterative). */
export function allText(element: XmlElement): string {
  let out = '';
  const stack: Array<XmlElement | string> = [element];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    // Own text first, then the children; an element's own text pieces are kept together.
    for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i] as XmlElement, ' ');
    out += item.text;
  }
  return out;
}

/** The first element named `name` (case-insensitive) at or below `element`, breadth first. */
export function findElement(element: XmlElement, name: string): XmlElement | null {
  const wanted = name.toLowerCase();
  const queue: XmlElement[] = [element];
  for (let i = 0; i < queue.length; i++) {
    const e = queue[i] as XmlElement;
    if (e.name.toLowerCase() === wanted) return e;
    queue.push(...e.children);
  }
  return null;
}
