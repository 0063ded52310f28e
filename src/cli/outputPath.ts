/**
 * Where a command may write a file the user named with --out. Checked before any computation so a
 * long run never ends in "cannot write": the folder must exist, the path must not be a folder,
 * must not lie inside the run store, must not be one of the command's own inputs, and an existing
 * file is replaced only with --force (and then atomically, by the writer).
 */

import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { InputError } from '../core/matrix.js';

export interface OutputCheck {
  /** The store folder of this invocation (--store / NEUROREP_STORE / ./.neurorep). */
  store: string;
  /** Files the command reads. */
  inputs: string[];
  /** Replace an existing file. */
  force?: boolean;
  /** The option's name in messages. */
  option?: string;
}

/** The canonical path of `p` (following links), or of its existing parent joined with its name. */
function canonical(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

function sameFile(a: string, b: string): boolean {
  if (canonical(a) === canonical(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function inside(child: string, folder: string): boolean {
  const rel = relative(canonical(folder), canonical(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Throws an InputError (exit 2) naming the path and what to do when `out` must not be written. */
export function checkOutputPath(out: string, check: OutputCheck): void {
  const opt = check.option ?? '--out';
  const folder = dirname(resolve(out));
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch {
    throw new InputError(`${opt} ${out}: the folder ${folder} does not exist; create it first`);
  }
  if (!folderStat.isDirectory()) throw new InputError(`${opt} ${out}: ${folder} is not a folder`);
  if (inside(out, check.store)) {
    throw new InputError(`${opt} ${out}: this is inside the run store ${check.store}; write the output somewhere else`);
  }
  for (const input of check.inputs) {
    if (existsSync(input) && sameFile(out, input)) {
      throw new InputError(`${opt} ${out}: this is one of the command's inputs; choose another file name`);
    }
  }
  if (existsSync(out)) {
    if (statSync(out).isDirectory()) throw new InputError(`${opt} ${out}: is a folder; give a file name`);
    if (!check.force) throw new InputError(`${opt} ${out}: the file exists; pass --force to replace it`);
  }
}
