// A list of names short enough for a title or a message.

/** Names for a title or a message: all of them up to `max`, else the first `max` and how many more. */
export function someNames(names: readonly string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
