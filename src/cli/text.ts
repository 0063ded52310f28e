/** Text for people: control characters from data files shown as escapes, never sent raw. */

import { visibleControls } from '../report/html.js';

/**
 * A string with every control character except newline and tab (and the Unicode line separators)
 * replaced by a \\uXXXX escape: names, paths and cells from data files cannot move the cursor,
 * recolour the terminal or hide text.
 */
export function printable(text: string): string {
  return visibleControls(text, true);
}

/** `1 unit`, `2 units`: a count with its noun (the plural is the singular + s unless given). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
