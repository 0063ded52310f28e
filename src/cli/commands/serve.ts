/** `neurorep serve`: the viewer on the store, on 127.0.0.1 unless told otherwise. */

import type { AddressInfo } from 'node:net';
import { allowedHosts, createApp } from '../../server/app.js';
import { expectPositionals } from '../args.js';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { InputError } from '../../core/matrix.js';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'browse stored runs in a web viewer (binds 127.0.0.1 by default)',
  usage: 'serve [--port 8080] [--host 127.0.0.1] [--store DIR]',
  description: [
    'Serves the runs list, run pages (spectrum, complexity and pattern curves, profiles) and the',
    'compare page (areas and layers on shared axes, CKA heatmap), plus a JSON API: GET /api/runs,',
    'GET /api/runs/:id, GET /api/compare?ids=a,b. Stop with Ctrl-C.',
    'At /app/ the browser app: open an NWB file by URL (or from the disk), analyze it in the page on',
    'every core, download the run record (neurorep import takes it); see docs/web-app.md.',
  ].join('\n'),
  options: {
    port: { type: 'integer', min: 0, max: 65535, arg: 'PORT', help: 'port (default 8080; 0 picks a free one)' },
    host: { type: 'string', arg: 'HOST', help: 'address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)' },
  },
  async run(args, ctx) {
    expectPositionals(args, [], 'serve');
    await startServer(ctx, { port: args.options.port ?? 8080, host: args.options.host ?? '127.0.0.1' });
    return 0;
  },
});

/** Serve until SIGINT/SIGTERM. `open` is a path to print as the starting page. */
export function startServer(ctx: Context, opts: { port: number; host: string; open?: string }): Promise<void> {
  let hosts = new Set<string>();
  const { app, store } = createApp(ctx.store, { hosts: () => hosts });
  return new Promise((resolve, reject) => {
    const server = app.listen(opts.port, opts.host);
    server.once('listening', () => {
      hosts = allowedHosts(opts.host, (server.address() as AddressInfo).port);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      store.close();
      const why: Record<string, string> = {
        EADDRINUSE: `port ${opts.port} on ${opts.host} is in use; choose another with --port`,
        EACCES: `port ${opts.port} needs more privileges than this user has; choose one above 1023 with --port`,
        ENOTFOUND: `--host ${opts.host}: no such host name (give an address of this machine, e.g. 127.0.0.1)`,
        EAI_AGAIN: `--host ${opts.host}: the name does not resolve (give an address of this machine, e.g. 127.0.0.1)`,
        EADDRNOTAVAIL: `--host ${opts.host}: not an address of this machine (e.g. 127.0.0.1, or 0.0.0.0 for every address)`,
      };
      reject(err.code !== undefined && err.code in why ? new InputError(why[err.code]) : err);
    });
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      ctx.io.err(`neurorep viewer on http://${host}:${port}${opts.open ?? '/'}  (store ${ctx.store}; Ctrl-C to stop)\n`);
      ctx.io.err(`the browser app (a recording by URL or from the disk, analysed in the page): http://${host}:${port}/app/\n`);
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1')
        ctx.io.err('warning: the viewer is reachable from other machines on this network\n');
    });
    const stop = () => {
      server.close(() => {
        store.close();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
