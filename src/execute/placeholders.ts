import { fillPlaceholders as fillQuoted } from '../shell/quote.js';

/** Values known only at run time, by the name the plan gives them (`{firstByte}`). */
export type PlaceholderValues = Readonly<Record<string, string | number>>;

/**
 * Fills the plan's named placeholders in a command: the one place the executor changes plan text.
 * Only the names given are replaced (a shell `${name}` is left alone); a value must be a plain
 * number or word, since it lands in a shell command unquoted.
 */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  let out = text;
  for (const [name, value] of Object.entries(values)) {
    const v = String(value);
    if (!/^[A-Za-z0-9_.-]+$/.test(v))
      throw new Error(`the value of {${name}} is not a plain word: ${JSON.stringify(v)}`);
    out = out.replace(new RegExp(`(?<!\\$)\\{${name}\\}`, 'g'), v);
  }
  return out;
}

/**
 * Fills one named placeholder with a value of any text, shell-quoted (the HAProxy `via` wrapper's
 * `{request}`): the value becomes one argument. A line break is refused, since the runtime API
 * would read the rest as a second command.
 */
export function fillQuotedPlaceholder(text: string, name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`the value of {${name}} cannot contain a line break`);
  return fillQuoted(text, [name], { [name]: value });
}
