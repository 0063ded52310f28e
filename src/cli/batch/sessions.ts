/**
 * What a batch works on: the sessions named by files, folders and manifests, the analyze options
 * forwarded to each, the resume key that says a session is done, and the line that says why one
 * failed. Shared by the local runner and the SLURM writer.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../core/matrix.js';
import { isUrl } from '../../../adapters/nwb/index.js';
import { RemoteFile } from '../../../adapters/remote/remoteFile.js';
import { sha256File, sha256Hex } from '../../io/files.js';
import { toolkitVersion } from '../../package.js';
import { UsageError } from '../args.js';
import { analyzeCommand } from '../commands/analyze.js';

/** Analyze options that batch forwards; --json, --out-record and --label are batch's own concern. */
export const FORWARDED = Object.fromEntries(Object.entries(analyzeCommand.options).filter(([k]) => k !== 'json'));

/**
 * Files, folders (*.nwb inside) and manifests (.txt, one path or URL per line; lines starting with
 * # are comments, a # inside a name is part of it; relative paths are relative to the manifest)
 * -> the NWB files, in order, once each.
 */
export function expandInputs(inputs: string[]): string[] {
  if (inputs.length === 0) throw new UsageError('batch needs NWB files, folders or a manifest');
  const out: string[] = [];
  const add = (p: string, from: string) => {
    if (isUrl(p)) {
      out.push(p);
      return;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(`${p}: no such file or folder${from ? ` (listed in ${from})` : ''}`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((f) => /\.nwb$/i.test(f))
        .sort();
      if (found.length === 0) throw new InputError(`${p}: no *.nwb files in this folder`);
      for (const f of found) out.push(resolve(p, f));
    } else if (/\.txt$/i.test(p) && !from) {
      const lines = readFileSync(p, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
      for (const l of lines) add(isUrl(l) ? l : resolve(p, '..', l), p);
    } else out.push(resolve(p));
  };
  for (const p of inputs) add(p, '');
  return [...new Set(out)];
}

/** The analyze options given to batch, as argv for each session (in a fixed order: part of the resume key). */
export function forwardedArgv(options: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const name of Object.keys(FORWARDED).sort()) {
    if (name === 'force' || name === 'cache') continue;
    const v = options[name];
    if (v === undefined || v === false) continue;
    argv.push(`--${name}`);
    if (v !== true) argv.push(String(v));
  }
  return argv;
}

/** The session's resume key: its content, the analyze options (as argv) and the toolkit version. */
export function resumeKey(file: string, forwarded: string[]): string {
  // A remote file is identified by its URL, ETag (else Last-Modified) and size (hashing it would download it).
  let content: string;
  if (isUrl(file)) {
    const r = RemoteFile.open(file);
    content = `${file}\n${r.etag ?? (r.lastModified !== null ? `last-modified ${r.lastModified}` : '')}\n${r.size}`;
    r.close();
  } else content = sha256File(file);
  return sha256Hex(JSON.stringify([content, forwarded, toolkitVersion()]));
}

/** The last message line of a session's stderr or log, without the file name it repeats or the debugging hint. */
export function lastLine(text: string, file = ''): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\(set NEUROREP_DEBUG=1/.test(l.trim()));
  let line = (lines[lines.length - 1] ?? '').replace(/^neurorep: /, '');
  while (file && line.startsWith(`${file}: `)) line = line.slice(file.length + 2);
  return line.slice(0, 300);
}
