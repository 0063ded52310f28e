// Loaded with `node --import` in front of the neurorep binary by the reliability tests: on exit,
// write the process's peak resident set size (kilobytes) to $NEUROREP_TEST_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.NEUROREP_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
