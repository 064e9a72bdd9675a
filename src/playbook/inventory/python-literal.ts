/**
 * What Ansible's INI inventory does with text: host lines are split like Python's
 * `shlex.split(line, comments=True)`, and every value goes through `ast.literal_eval`, keeping the
 * text as a string when that fails. So `22` is a number, `"22"` in a host line is a number too (shlex
 * removed the quotes), `7.4` a float, `True` a boolean but `yes` the string "yes", `[1, 2]` a list.
 */
import type { VarValue } from './model.js';

/** What `literal_eval` gave: a value, or `undefined` when Ansible keeps the text as a string. */
type Parsed = { value: VarValue } | undefined;

/** Ansible's `_parse_value`: Python's `ast.literal_eval(text)`, or the text itself when that fails. */
export function parsePythonValue(text: string): VarValue {
  const parsed = literalEval(text);
  return parsed === undefined ? text : parsed.value;
}

/** True when `parsePythonValue` would give a number that JavaScript cannot hold exactly (kept as text). */
export function isUnsafeNumber(text: string): boolean {
  const parsed = safeEval(text);
  return parsed !== undefined && parsed.unsafe;
}

function literalEval(text: string): Parsed {
  const r = safeEval(text);
  return r === undefined || r.unsafe ? undefined : { value: r.value };
}

function safeEval(text: string): { value: VarValue; unsafe: boolean } | undefined {
  try {
    const p = new Parser(text.replace(/^[ \t]+/, ''));
    const value = p.expression();
    p.end();
    return { value, unsafe: p.unsafe };
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}

class NotLiteral extends Error {}

const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][-+]?\d(?:_?\d)*)?|\d(?:_?\d)*\.?(?:[eE][-+]?\d(?:_?\d)*)?)[jJ]?/;
const STRING_START = /^([rRuUbB]|[rR][bB]|[bB][rR])?('''|"""|'|")/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** A recursive-descent parser for the literals `ast.literal_eval` accepts (containers nest at most 100 deep). */
class Parser {
  private pos = 0;
  private depth = 0;
  unsafe = false;

  constructor(private readonly text: string) {}

  expression(): VarValue {
    const first = this.atom();
    if (this.peek() !== ',') return first;
    const items = [first];
    while (this.eat(',')) {
      if (this.atEnd() || this.peek() === ')') break;
      items.push(this.atom());
    }
    return items;
  }

  end(): void {
    if (!this.atEnd()) throw new NotLiteral();
  }

  private atom(): VarValue {
    const ch = this.peek();
    if (ch === '[') return this.sequence('[', ']');
    if (ch === '(') return this.parenthesis();
    if (ch === '{') return this.braces();
    if (ch === '+' || ch === '-') {
      this.pos += 1;
      const n = this.number();
      return ch === '-' && n !== 0 ? -n : n;
    }
    const rest = this.text.slice(this.pos);
    if (STRING_START.test(rest)) return this.strings();
    if (/^[0-9.]/.test(rest)) return this.number();
    const name = NAME.exec(rest)?.[0];
    if (name === 'True' || name === 'False' || name === 'None') {
      this.pos += name.length;
      return name === 'None' ? null : name === 'True';
    }
    throw new NotLiteral();
  }

  private number(): number {
    this.skip();
    const m = NUMBER.exec(this.text.slice(this.pos));
    if (!m || /[jJ]$/.test(m[0])) throw new NotLiteral();
    const raw = m[0].replaceAll('_', '');
    this.pos += m[0].length;
    if (/[A-Za-z0-9_]/.test(this.text.charAt(this.pos))) throw new NotLiteral();
    if (/^0\d*[1-9]/.test(raw) && !/[.eE]/.test(raw)) throw new NotLiteral(); // 007: leading zeros are a SyntaxError
    const n = Number(raw);
    const float = !/^0[xob]/i.test(raw) && /[.eE]/.test(raw);
    if (!Number.isFinite(n) || (!float && !Number.isSafeInteger(n))) this.unsafe = true;
    return n;
  }

  /** One string literal or several adjacent ones (Python concatenates them). */
  private strings(): string {
    let out = '';
    do out += this.string();
    while (STRING_START.test(this.text.slice(this.skipped())));
    return out;
  }

  private string(): string {
    this.skip();
    const m = STRING_START.exec(this.text.slice(this.pos)) as RegExpExecArray;
    const raw = /[rR]/.test(m[1] ?? '');
    const quote = m[2] as string;
    this.pos += m[0].length;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new NotLiteral();
      if (this.text.startsWith(quote, this.pos)) {
        this.pos += quote.length;
        return out;
      }
      const ch = this.text.charAt(this.pos);
      if (ch === '\n' && quote.length === 1) throw new NotLiteral();
      if (ch !== '\\') {
        out += ch;
        this.pos += 1;
        continue;
      }
      const next = this.text.charAt(this.pos + 1);
      this.pos += 2;
      out += raw ? `\\${next}` : this.escape(next);
    }
  }

  private escape(next: string): string {
    const simple: Record<string, string> = {
      '\n': '',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    };
    if (next in simple) return simple[next] as string;
    const hex = (len: number): string => {
      const digits = this.text.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) throw new NotLiteral();
      this.pos += len;
      const code = parseInt(digits, 16);
      if (code > 0x10ffff) throw new NotLiteral();
      return String.fromCodePoint(code);
    };
    if (next === 'x') return hex(2);
    if (next === 'u') return hex(4);
    if (next === 'U') return hex(8);
    if (/[0-7]/.test(next)) {
      const digits = next + (/^[0-7]{0,2}/.exec(this.text.slice(this.pos))?.[0] ?? '');
      this.pos += digits.length - 1;
      return String.fromCodePoint(parseInt(digits, 8));
    }
    if (next === 'N') throw new NotLiteral(); // \N{NAME}: Unicode names are not known here
    return `\\${next}`;
  }

  private sequence(open: string, close: string): VarValue[] {
    this.enter(open);
    const items: VarValue[] = [];
    while (!this.eat(close)) {
      items.push(this.atom());
      if (!this.eat(',')) {
        this.expect(close);
        break;
      }
    }
    this.depth -= 1;
    return items;
  }

  private parenthesis(): VarValue {
    this.enter('(');
    if (this.eat(')')) {
      this.depth -= 1;
      return [];
    }
    const inner = this.expression();
    this.expect(')');
    this.depth -= 1;
    return inner;
  }

  /** `{}` is a dict, `{k: v}` a dict (keys become strings, as in Ansible's JSON), `{a, b}` a set (a list here). */
  private braces(): VarValue {
    this.enter('{');
    const dict: Record<string, VarValue> = {};
    const set: VarValue[] = [];
    let kind: 'dict' | 'set' | undefined;
    while (!this.eat('}')) {
      const key = this.atom();
      if (this.eat(':')) {
        if (kind === 'set' || (key !== null && typeof key === 'object')) throw new NotLiteral();
        kind = 'dict';
        dict[key === null ? 'null' : String(key)] = this.atom();
      } else {
        if (kind === 'dict') throw new NotLiteral();
        kind = 'set';
        set.push(key);
      }
      if (!this.eat(',')) {
        this.expect('}');
        break;
      }
    }
    this.depth -= 1;
    return kind === 'set' ? set : dict;
  }

  private enter(open: string): void {
    this.expect(open);
    this.depth += 1;
    if (this.depth > 100) throw new NotLiteral();
  }

  private expect(ch: string): void {
    if (!this.eat(ch)) throw new NotLiteral();
  }

  private eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos += 1;
    return true;
  }

  private peek(): string {
    this.skip();
    return this.text.charAt(this.pos);
  }

  private atEnd(): boolean {
    return this.peek() === '';
  }

  /** Skips whitespace and `#` comments (Python's tokenizer does). */
  private skip(): void {
    this.pos = this.skipped();
  }

  private skipped(): number {
    let p = this.pos;
    for (;;) {
      while (p < this.text.length && /\s/.test(this.text.charAt(p))) p += 1;
      if (this.text.charAt(p) !== '#') return p;
      while (p < this.text.length && this.text.charAt(p) !== '\n') p += 1;
    }
  }
}

/** Result of splitting a host line: the words, each with its offset in the line, or an error at an offset. */
type ShlexResult = { words: Array<{ text: string; offset: number }> } | { error: string; offset: number };

/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode): quotes removed, `\` escapes, `#` starts a comment anywhere
 * outside quotes.
 */
export function shlexSplit(line: string): ShlexResult {
  const words: Array<{ text: string; offset: number }> = [];
  let word: string | null = null;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (/[ \t\r\n]/.test(ch)) {
      if (word !== null) words.push({ text: word, offset: start });
      word = null;
      continue;
    }
    if (ch === '#') break;
    if (word === null) {
      word = '';
      start = i;
    }
    if (ch === '\\') {
      if (i + 1 >= line.length) return { error: 'no escaped character after `\\`', offset: i };
      word += line.charAt(++i);
    } else if (ch === "'" || ch === '"') {
      const close = closingQuote(line, i);
      if (close < 0) return { error: `unterminated quote \`${ch}\``, offset: i };
      word += ch === "'" ? line.slice(i + 1, close) : line.slice(i + 1, close).replace(/\\(["\\])/g, '$1');
      i = close;
    } else word += ch;
  }
  if (word !== null) words.push({ text: word, offset: start });
  return { words };
}

/** Index of the quote closing the one at `open` (in double quotes `\"` and `\\` are escapes), or -1. */
export function closingQuote(text: string, open: number): number {
  const quote = text.charAt(open);
  for (let i = open + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote === '"' && ch === '\\') i += 1;
    else if (ch === quote) return i;
  }
  return -1;
}
