/**
 * Warnings: what a record says when the data cannot fully support a number. An observable the
 * data cannot support is null with a warning beside it, never a misleading value (0 is a result,
 * not an absence). Codes are stable; messages are for people.
 */

export type WarningCode =
  | 'alpha-too-few-ranks'
  | 'complexity-lower-bound'
  | 'complexity-weak'
  | 'pieces-unresolved'
  | 'unpredictable'
  | 'patterns-saturated'
  | 'patterns-undersampled'
  | 'no-reliable-signal'
  | 'cvpca-failed'
  | 'cvpca-stimuli-dropped'
  | 'unequal-group-sizes'
  | 'corrected-unavailable'
  | 'corrected-at-boundary'
  | 'corrected-extrapolated'
  | 'input-truncated'
  | 'nonfinite-dropped'
  | 'observable-skipped'
  | 'shape-overfit'
  | 'too-few-stimuli'
  | 'alignment-suspect'
  | 'intervals-unavailable'
  | 'store-not-updated';

export interface Warning {
  code: WarningCode;
  /** The area, layer or transition it concerns, when the record has several. */
  group?: string;
  message: string;
}

export function warning(code: WarningCode, message: string, group?: string): Warning {
  return group === undefined ? { code, message } : { code, group, message };
}

/** The same warnings with a group name attached (for warnings raised inside one area or layer). */
export function inGroup(ws: readonly Warning[], group: string): Warning[] {
  return ws.map((w) => ({ ...w, group: w.group ?? group }));
}
