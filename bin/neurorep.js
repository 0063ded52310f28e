#!/usr/bin/env node
// The neurorep command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `neurorep --version` answers from package.json before the command line's modules load.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('neurorep: not built yet; run `npm install` (or `npm run build`) in the neurorep folder first\n');
  process.exit(2);
}
// A closed pipe (`neurorep runs | head -3`) ends the command quietly, as in other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
