/**
 * The programs a node needs, derived from the commands the plan will run there: each command is
 * read like a POSIX shell reads it (quotes, `$(…)`, `sh -c '…'`, `VAR=x cmd`, `timeout 5 cmd`,
 * `if`/`while` …) and the words in command position are collected. Builtins, paths (a node's own
 * scripts, checked by other steps), programs the command only probes for (`command -v x`: it
 * has a fallback) and the shell functions it defines (`c() { curl …; }`) are left out. RUNTIME_TOOLS adds what the
 * executor itself runs there.
 */

/**
 * Programs the executor and the transports run on a node besides the plan's commands (log follow, kill, lock, sudo).
 */
export const RUNTIME_TOOLS: readonly string[] = [
  'cat',
  'date',
  'grep',
  'mkdir',
  'mv',
  'ps',
  'rm',
  'sh',
  'stat',
  'tail',
  'touch',
  'tr',
  'wc',
];

/** POSIX shell builtins and reserved words: never programs to look for. */
const BUILTINS = new Set([
  '!',
  '.',
  ':',
  '[',
  '[[',
  '{',
  '}',
  'alias',
  'bg',
  'break',
  'case',
  'cd',
  'command',
  'continue',
  'do',
  'done',
  'echo',
  'elif',
  'else',
  'esac',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'fg',
  'fi',
  'for',
  'function',
  'getopts',
  'hash',
  'if',
  'in',
  'jobs',
  'kill',
  'local',
  'printf',
  'pwd',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'test',
  'then',
  'times',
  'trap',
  'true',
  'type',
  'ulimit',
  'umask',
  'unalias',
  'unset',
  'until',
  'wait',
  'while',
]);

/** Reserved words after which the next word is a command again. */
const LEADS = new Set(['!', 'if', 'then', 'else', 'elif', 'do', 'while', 'until', '{', 'time']);

/**
 * Wrappers whose operand is itself a command (`timeout 5 curl …`); the number is how many non-option words they take
 * first.
 */
const WRAPPERS: Record<string, number> = {
  exec: 0,
  nohup: 0,
  nice: 0,
  env: 0,
  sudo: 0,
  timeout: 1,
  xargs: 0,
  stdbuf: 0,
  setsid: 0,
};

/** What the scan read from each command already scanned, by its text (see `programsOf`). */
export type ProgramsCache = Map<string, Seen>;

/**
 * The programs a set of commands needs, sorted, and those they only probe for. With `cache`, each distinct command
 * is scanned once: the nodes of a cluster run mostly the same commands, and scanning adds to the sets only, so the
 * union of per-command results is the result of one scan of them all.
 */
export function programsOf(
  commands: Iterable<string>,
  cache?: ProgramsCache,
): { required: string[]; probed: string[] } {
  const seen: Seen = { found: new Set(), probed: new Set(), functions: new Set() };
  for (const c of commands) {
    if (!cache) {
      scan(c, seen, 0);
      continue;
    }
    let one = cache.get(c);
    if (!one) {
      one = { found: new Set(), probed: new Set(), functions: new Set() };
      scan(c, one, 0);
      cache.set(c, one);
    }
    for (const w of one.found) seen.found.add(w);
    for (const w of one.probed) seen.probed.add(w);
    for (const w of one.functions) seen.functions.add(w);
  }
  const { found, probed, functions } = seen;
  const required = [...found].filter(
    (p) => !probed.has(p) && !functions.has(p) && !BUILTINS.has(p) && !p.includes('/') && /^[A-Za-z0-9_.+-]+$/.test(p),
  );
  return { required: required.sort(), probed: [...probed].sort() };
}

/** What the scan collects: words in command position, programs only probed for, shell functions defined. */
interface Seen {
  found: Set<string>;
  probed: Set<string>;
  functions: Set<string>;
}

/** One shell word as read, and whether it ended a simple command (an operator followed it). */
interface Token {
  word: string;
  /** The raw text, quotes included (for `sh -c` scripts). */
  raw: string;
  /** An operator (`;`, `&&`, `|`, newline, `(`, `)` …) instead of a word. */
  op: boolean;
}

/** Collects the command words of one command (and of the scripts it runs with `sh -c`). */
function scan(command: string, seen: Seen, depth: number): void {
  if (depth > 8) return;
  const tokens = tokenize(command, seen, depth);
  let expectCommand = true;
  let wrapperArgs = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    // `for x in …; do` and `case w in pattern)`: the words before `do` / `)` are not commands.
    if (expectCommand && !t.op && (t.raw === 'for' || t.raw === 'case')) {
      i =
        t.raw === 'for'
          ? skipTo(tokens, i, (x) => !x.op && x.raw === 'do')
          : skipCasePattern(
              tokens,
              skipTo(tokens, i, (x) => !x.op && x.raw === 'in'),
            );
      continue;
    }
    if (t.op && t.word === ';;') {
      i = skipCasePattern(tokens, i);
      continue;
    }
    if (t.op) {
      expectCommand = t.word !== ')' && t.word !== '}';
      wrapperArgs = -1;
      continue;
    }
    if (!expectCommand) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t.raw) && wrapperArgs < 0) continue; // VAR=value before the command
    if (wrapperArgs > 0 || (wrapperArgs === 0 && t.word.startsWith('-'))) {
      if (!t.word.startsWith('-')) wrapperArgs -= 1;
      continue;
    }
    if (LEADS.has(t.word) && t.raw === t.word) continue;
    const word = t.word;
    // `name() { …; }` defines a shell function: `name` is no program, and its body is read as commands.
    // (`c()` reads as the word `c(` and the operator `)`; `c ()` as `c`, `(`, `)`.)
    const closes = (k: number): boolean => tokens[k]?.op === true && tokens[k]?.word === ')';
    if (word.endsWith('(') && t.raw === word && closes(i + 1)) {
      seen.functions.add(word.slice(0, -1));
      i += 1;
      continue;
    }
    if (tokens[i + 1]?.op && tokens[i + 1]?.word === '(' && closes(i + 2)) {
      seen.functions.add(word);
      i += 2;
      continue;
    }
    if (word === 'command' && tokens[i + 1]?.word === '-v') {
      const target = tokens[i + 2];
      if (target && !target.op) seen.probed.add(target.word);
      expectCommand = false;
      continue;
    }
    seen.found.add(word);
    if (word in WRAPPERS) {
      wrapperArgs = WRAPPERS[word] as number;
      continue;
    }
    wrapperArgs = -1;
    expectCommand = false;
    const next = tokens[i + 1];
    if ((word === 'sh' || word === 'bash') && next?.word === '-c' && tokens[i + 2] && !tokens[i + 2]?.op)
      scan((tokens[i + 2] as Token).word, seen, depth + 1);
  }
}

/** The index of the first token after `from` that matches, or the last index. */
function skipTo(tokens: readonly Token[], from: number, match: (t: Token) => boolean): number {
  for (let i = from + 1; i < tokens.length; i++) if (match(tokens[i] as Token)) return i;
  return tokens.length;
}

/** Skips a case pattern (`a|b)`, across newlines) and returns the index of its `)`; `esac` ends the case. */
function skipCasePattern(tokens: readonly Token[], from: number): number {
  for (let i = from + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (!t.op && t.raw === 'esac') return i;
    if (t.op && t.word === ')') return i;
  }
  return tokens.length;
}

/** A shell operator at `lastIndex` (sticky: matching in place, not on a copy of the rest of the command). */
const OPERATOR = /\|\||&&|;;|[;&|()\n]/y;

/**
 * A run of characters with no meaning to the shell here (sticky): taken in one step instead of one character at a
 * time. Long commands (installer scripts) otherwise make the loop below hot enough for V8 to optimize it on a
 * background thread, and a short command such as `validate` then waits ~30 ms at exit for that compile to finish.
 */
const PLAIN_RUN = /[^ \t<>#|&;()\n{}'"$`\\]+/y;

/** Splits a command into words and operators; `$(…)` inside is scanned as a command of its own. */
function tokenize(text: string, seen: Seen, depth: number): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let raw = '';
  let inWord = false;
  const flush = (): void => {
    if (inWord) tokens.push({ word, raw, op: false });
    word = '';
    raw = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    PLAIN_RUN.lastIndex = i;
    const plain = PLAIN_RUN.exec(text)?.[0];
    if (plain !== undefined) {
      inWord = true;
      word += plain;
      raw += plain;
      i += plain.length - 1;
      continue;
    }
    const ch = text.charAt(i);
    if (ch === ' ' || ch === '\t') {
      flush();
      continue;
    }
    if (ch === '<' || ch === '>') {
      if (inWord && /^\d+$/.test(raw)) {
        word = '';
        raw = '';
        inWord = false;
      }
      flush();
      i = redirectionEnd(text, i);
      continue;
    }
    if (ch === '#' && !inWord) {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      i--;
      continue;
    }
    OPERATOR.lastIndex = i;
    const op =
      OPERATOR.exec(text)?.[0] ??
      (!inWord && (ch === '{' || ch === '}') && /[\s;]|$/.test(text.charAt(i + 1) || ' ') ? ch : undefined);
    if (op !== undefined && !(ch === '(' && inWord)) {
      flush();
      tokens.push({ word: op, raw: op, op: true });
      i += op.length - 1;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word += text.slice(i + 1, stop);
      raw += text.slice(i, stop + 1);
      i = stop;
    } else if (ch === '"') {
      const end = doubleQuoteEnd(text, i, seen, depth);
      word += withDefaults(text.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1'));
      raw += text.slice(i, end + 1);
      i = end;
    } else if (ch === '$' && text.charAt(i + 1) === '(') {
      const end = substitutionEnd(text, i + 1, seen, depth);
      word += text.slice(i, end + 1);
      raw += text.slice(i, end + 1);
      i = end;
    } else if (ch === '$' && text.charAt(i + 1) === '{') {
      const end = text.indexOf('}', i);
      const stop = end < 0 ? text.length : end;
      word += withDefaults(text.slice(i, stop + 1));
      raw += text.slice(i, stop + 1);
      i = stop;
    } else if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      const stop = end < 0 ? text.length : end;
      scan(text.slice(i + 1, stop), seen, depth + 1);
      word += text.slice(i, stop + 1);
      raw += text.slice(i, stop + 1);
      i = stop;
    } else if (ch === '\\') {
      word += text.charAt(i + 1);
      raw += text.slice(i, i + 2);
      i++;
    } else {
      word += ch;
      raw += ch;
    }
  }
  flush();
  return tokens;
}

/** `${VAR:-default}` as its default: the program a command runs unless the variable overrides it. */
function withDefaults(text: string): string {
  return text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1');
}

/**
 * The index of the last character of a redirection starting at `at` (`>`, `2>&1`, `>> file`, `< "$f"`), its target
 * included.
 */
function redirectionEnd(text: string, at: number): number {
  let i = at;
  while (/[<>&|]/.test(text.charAt(i + 1))) i++;
  if (/[&]/.test(text.charAt(i)) && /[0-9-]/.test(text.charAt(i + 1))) {
    while (/[0-9-]/.test(text.charAt(i + 1))) i++;
    return i;
  }
  while (text.charAt(i + 1) === ' ' || text.charAt(i + 1) === '\t') i++;
  let quote = '';
  while (i + 1 < text.length) {
    const ch = text.charAt(i + 1);
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (/[\s;&|()<>]/.test(ch)) break;
    i++;
  }
  return i;
}

/** The index of the `"` closing the one at `open`, scanning any `$(…)` inside it as a command. */
function doubleQuoteEnd(text: string, open: number, seen: Seen, depth: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '$' && text.charAt(i + 1) === '(') i = substitutionEnd(text, i + 1, seen, depth);
    else if (ch === '"') return i;
  }
  return text.length;
}

/**
 * The index of the `)` closing the `(` at `open` (quotes respected); the inside is scanned as a command (`$((…))` is
 * arithmetic).
 */
function substitutionEnd(text: string, open: number, seen: Seen, depth: number): number {
  let level = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\') i++;
    else if (ch === "'") i = Math.max(i, text.indexOf("'", i + 1));
    else if (ch === '"') i = doubleQuoteEnd(text, i, seen, depth + 1);
    else if (ch === '(') level++;
    else if (ch === ')' && --level === 0) {
      if (text.charAt(open + 1) !== '(') scan(text.slice(open + 1, i), seen, depth + 1);
      return i;
    }
  }
  return text.length;
}
