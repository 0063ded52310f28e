/** Helpers for the reliability suite: run the built binary as a user would and check what it printed. */

import type { ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size in MiB. */
  peakMiB: number;
}

/** Run bin/neurorep.js in a child process (own store unless --store is given), measuring its peak RSS. */
export function neurorep(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Run {
  const rssFile = join(tempDir('neurorep-rss-'), 'rss');
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'reliability', 'rss-preload.mjs'), join(ROOT, 'bin', 'neurorep.js'), ...args], {
    cwd: opts.cwd ?? tempDir('neurorep-cwd-'),
    encoding: 'utf8',
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 180_000,
    env: { ...process.env, NEUROREP_DEBUG: '', NEUROREP_TEST_RSS_FILE: rssFile, ...opts.env },
  });
  let peakMiB = NaN;
  try {
    peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    /* the process died before exit handlers ran */
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr + (r.error ? `\n${r.error.message}` : ''), peakMiB };
}

/**
 * The same as `neurorep`, without blocking this process's event loop: for tests whose servers run
 * in the test process itself (spawnSync would stop them from answering).
 */
export function neurorepAsync(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args], {
      cwd: opts.cwd ?? tempDir('neurorep-cwd-'),
      env: { ...process.env, NEUROREP_DEBUG: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr, peakMiB: NaN });
    });
  });
}

/** A user mistake: exit 2, a message matching `message`, no stack trace, no internal error, no HDF5 diagnostics. */
export function userMistake(t: ExecutionContext, r: Run, message: RegExp): void {
  t.is(r.code, 2, `exit code; stderr: ${r.stderr}`);
  t.regex(r.stderr, message);
  clean(t, r);
}

/** Nothing a user should not see: stack frames, "internal error", HDF5-DIAG lines, raw escape characters. */
export function clean(t: ExecutionContext, r: Run): void {
  const all = r.stdout + r.stderr;
  t.notRegex(all, /^\s+at .+\(.*:\d+:\d+\)$/m, 'no stack frame');
  t.notRegex(all, /internal error|please report it/, 'not an internal error');
  t.notRegex(all, /HDF5-DIAG|#000:|major: |minor: /, 'no HDF5 diagnostic stack');
  // eslint-disable-next-line no-control-regex
  t.notRegex(all, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control characters');
}
