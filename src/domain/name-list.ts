// A list of names short enough for a title or a message.

/**
 * Names for a title or a message: all of them up to `max`, else the first `max` and how many more. `total` counts the
 * names when `names` holds only the first of them.
 */
export function someNames(names: readonly string[], max = 3, total = names.length): string {
  const first = names.slice(0, max).join(', ');
  return total <= max ? first : `${first} and ${total - max} more`;
}
