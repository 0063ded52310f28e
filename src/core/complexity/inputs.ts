/** The checks both complexity definitions make of their inputs before any work. */

import { InputError, type ResponseMatrix } from '../matrix.js';

/** X and Y list the same stimuli, and there are enough of them for `folds`-fold cross-validation. */
export function checkMapInputs(x: ResponseMatrix, y: ResponseMatrix, folds: number): void {
  if (x.n !== y.n) throw new InputError(`X has ${x.n} rows but Y has ${y.n}; both must list the same stimuli in the same order`);
  if (x.n < 2 * folds) throw new InputError(`complexity needs at least ${2 * folds} stimuli for ${folds}-fold cross-validation, got ${x.n}`);
}
