/**
 * The one way neurorep starts a worker thread: the module `name` beside the caller, as compiled
 * JavaScript (dist/) or, from the TypeScript sources (tests, tsx), through tsx, which the worker
 * registers itself (loader flags given to a worker thread do not apply to it).
 */

import { extname, join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Start the worker module `name` (no extension) that sits beside the module at `callerUrl`. */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const here = fileURLToPath(callerUrl);
  const script = join(dirname(here), name + extname(here));
  if (script.endsWith('.ts')) {
    const source = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(pathToFileURL(script).href)});`;
    return new Worker(source, { ...options, eval: true, execArgv: ['--input-type=module'] });
  }
  // execArgv: [] so that the parent's flags cannot change how the worker is loaded.
  return new Worker(script, { ...options, execArgv: [] });
}
