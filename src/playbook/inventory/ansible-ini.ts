/**
 * Ansible inventories, INI format, read as Ansible's `ini` inventory plugin reads them:
 * - a host line is split like Python's `shlex.split(line, comments=True)` (quotes removed, `#`
 *   starts a comment anywhere outside quotes); each `key=value` value then goes through Python's
 *   `ast.literal_eval` (python-literal.ts), so `22` and `"22"` are numbers, `yes` is a string;
 * - a `[group:vars]` line is `key = value`, the value taken as written (no comment stripping) and
 *   then through `literal_eval`, so `n = 8080 # port` is 8080 but `s = two words # c` keeps the comment;
 * - lines whose first non-blank character is `#` or `;` are comments.
 * lrroll is stricter than Ansible where Ansible would accept a mistake silently (a host line
 * starting with `key=value`, an empty or spaced variable name): those are located errors.
 */
import { errorAt, warningAt } from '../../errors/diagnostics.js';
import type { SourceLocation } from '../../errors/diagnostics.js';
import { expandHostPattern } from './host-pattern.js';
import { addChild, addHosts, createAnsibleModel, defineGroup, ensureGroup, setGroupVar } from './model.js';
import type { AnsibleModel, AnsibleVar } from './model.js';
import { closingQuote, isUnsafeNumber, parsePythonValue, shlexSplit } from './python-literal.js';

const GROUP_NAME = /^[^\s[\]:=#;'"]+$/;

interface IniState {
  kind: 'hosts' | 'vars' | 'children' | 'skip';
  group: string;
}

interface IniLine {
  model: AnsibleModel;
  /** The line with surrounding whitespace removed. */
  body: string;
  line: number;
  /** 1-based column of the first character of `body`. */
  col: number;
}

/** Reads an Ansible INI inventory into the model; hosts come in order of first appearance (the rolling order). */
export function readAnsibleIni(text: string, file: string): AnsibleModel {
  const model = createAnsibleModel(file);
  let state: IniState = { kind: 'hosts', group: 'ungrouped' };
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      const body = raw.trim();
      if (body === '' || body.startsWith('#') || body.startsWith(';')) return;
      const ctx: IniLine = { model, body, line: index + 1, col: raw.length - raw.trimStart().length + 1 };
      if (body.startsWith('[')) state = parseSectionHeader(ctx);
      else if (state.kind === 'hosts') parseHostLine(ctx, state.group);
      else if (state.kind === 'vars') parseVarsLine(ctx, state.group);
      else if (state.kind === 'children') parseChildLine(ctx, state.group);
    });
  return model;
}

/** A location `offset` characters into the line body. */
function at(ctx: IniLine, offset = 0): SourceLocation {
  return { file: ctx.model.file, line: ctx.line, col: ctx.col + offset };
}

/** Reports an INI error `offset` characters into the line body. */
function iniError(ctx: IniLine, summary: string, offset = 0, hint?: string): void {
  ctx.model.diagnostics.push(errorAt('E_INVENTORY', summary, at(ctx, offset), hint));
}

/** Parses `[group]`, `[group:vars]` or `[group:children]`; after a bad header the section is skipped. */
function parseSectionHeader(ctx: IniLine): IniState {
  const skip: IniState = { kind: 'skip', group: '' };
  const hint = 'sections are `[group]`, `[group:vars]` or `[group:children]`';
  const close = ctx.body.indexOf(']');
  if (close < 0) {
    iniError(ctx, `unclosed section header \`${clip(ctx.body)}\``, 0, 'close it with `]`, e.g. `[liferay]`');
    return skip;
  }
  const after = ctx.body.slice(close + 1);
  const rest = after.trimStart();
  if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
    iniError(
      ctx,
      `unexpected text \`${clip(rest)}\` after section header`,
      close + 1 + after.length - rest.length,
      hint,
    );
    return skip;
  }
  const [name = '', kind, ...extra] = ctx.body.slice(1, close).split(':');
  if (!GROUP_NAME.test(name) || extra.length > 0) {
    iniError(ctx, `malformed section header \`${clip(ctx.body.slice(0, close + 1))}\``, 0, hint);
    return skip;
  }
  if (kind === undefined || kind === 'children') {
    defineGroup(ctx.model, name, at(ctx, 1));
    return { kind: kind === undefined ? 'hosts' : 'children', group: name };
  }
  if (kind !== 'vars') {
    iniError(ctx, `unknown section type \`:${clip(kind)}\``, name.length + 2, hint);
    return skip;
  }
  ensureGroup(ctx.model, name, at(ctx, 1));
  return { kind: 'vars', group: name };
}

/**
 * Parses `name[range][:port] key=value key2="quoted value" # comment`; a malformed line is reported once and skipped.
 */
function parseHostLine(ctx: IniLine, group: string): void {
  const split = shlexSplit(ctx.body);
  if ('error' in split)
    return iniError(
      ctx,
      split.error,
      split.offset,
      'close every quote; a value with spaces is written `key="two words"`',
    );
  const [first, ...assignments] = split.words;
  if (!first) return;
  if (first.text.includes('=')) {
    const hint = 'host lines are `name key=value ...`; variables for a whole group go in `[group:vars]`';
    return iniError(ctx, `malformed host line: \`${clip(first.text)}\` is not a host name`, first.offset, hint);
  }
  const source = at(ctx, first.offset);
  const pattern = expandHostPattern(first.text, source);
  if ('severity' in pattern) {
    ctx.model.diagnostics.push(pattern);
    return;
  }
  const vars = new Map<string, AnsibleVar>();
  if (pattern.port !== undefined) vars.set('ansible_port', { value: pattern.port, source });
  for (const word of assignments) {
    const eq = word.text.indexOf('=');
    if (eq < 0)
      return iniError(ctx, `malformed host line: expected key=value, got \`${clip(word.text)}\``, word.offset);
    if (eq === 0)
      return iniError(
        ctx,
        `\`${clip(word.text)}\` has no variable name before \`=\``,
        word.offset,
        'write `key=value`',
      );
    vars.set(word.text.slice(0, eq), readValue(ctx, word.text.slice(eq + 1), word.offset));
  }
  addHosts(ctx.model, group, pattern.names, vars, source);
}

/** A value through `literal_eval`; a number JavaScript cannot hold exactly stays text, with a warning. */
function readValue(ctx: IniLine, text: string, offset: number): AnsibleVar {
  const source = at(ctx, offset);
  if (isUnsafeNumber(text)) {
    ctx.model.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `the number \`${clip(text)}\` is too large to be used as a number here; it is kept as text`,
        source,
      ),
    );
    return { value: text, source };
  }
  return { value: parsePythonValue(text), source };
}

/** Parses `key = value` in a `[group:vars]` section. */
function parseVarsLine(ctx: IniLine, group: string): void {
  const eq = ctx.body.indexOf('=');
  if (eq < 0)
    return iniError(ctx, `malformed line in \`[${group}:vars]\`: expected key=value, got \`${clip(ctx.body)}\``);
  const key = ctx.body.slice(0, eq).trim();
  if (key === '')
    return iniError(ctx, `\`${clip(ctx.body)}\` has no variable name before \`=\``, 0, 'write `key=value`');
  if (/\s/.test(key))
    return iniError(ctx, `malformed line in \`[${group}:vars]\`: variable name \`${clip(key)}\` contains whitespace`);
  const afterEq = ctx.body.slice(eq + 1);
  const text = afterEq.trim();
  const valueAt = eq + 1 + afterEq.length - afterEq.trimStart().length;
  const v = readValue(ctx, text, 0);
  if (typeof v.value === 'string' && /\s[#;]/.test(v.value) && !quotedWhole(text)) {
    const hint = 'Ansible keeps it as part of the value too; put the comment on its own line, or quote the value';
    ctx.model.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `the value of \`${key}\` keeps its trailing \`${clip(v.value.slice(v.value.search(/\s[#;]/) + 1))}\``,
        at(ctx, valueAt),
        hint,
      ),
    );
  }
  setGroupVar(ctx.model, group, key, v);
}

/** True when the whole text is one quoted string (its `#` is inside the quotes). */
function quotedWhole(text: string): boolean {
  return (text.startsWith('"') || text.startsWith("'")) && closingQuote(text, 0) === text.length - 1;
}

/** Parses one group name in a `[group:children]` section. */
function parseChildLine(ctx: IniLine, group: string): void {
  const name = ctx.body.replace(/\s+[#;].*$/, '');
  if (!GROUP_NAME.test(name))
    return iniError(ctx, `malformed line in \`[${group}:children]\`: expected one group name, got \`${clip(name)}\``);
  addChild(ctx.model, group, name, at(ctx));
}

/** Shortens text quoted in a message (a hostile line can be megabytes long). */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
