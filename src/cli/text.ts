/** Text for people: control characters from data files shown as escapes, never sent raw. */

/**
 * A string with every control character except newline and tab (and the Unicode line separators)
 * replaced by a \\uXXXX escape: names, paths and cells from data files cannot move the cursor,
 * recolour the terminal or hide text.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `1 unit`, `2 units`: a count with its noun (the plural is the singular + s unless given). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
