#!/usr/bin/env node
// Runs the whole test suite with tap and ends with the line `N passed, N failed` that CI reads.
// Arguments are passed on to tap (e.g. a file list); with none, tap finds every *.test.ts.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const child = spawn('npx', ['tap', '--reporter=tap', ...args], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.env,
});
let pass = 0;
let fail = 0;
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code) => {
  // tap's closing summary line: `# { total: 12, pass: 11, fail: 1 }` (keys omitted when zero).
  const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/.exec(tail);
  if (m) {
    pass = Number(m[2] ?? 0);
    fail = Number(m[3] ?? 0);
  } else if (code !== 0) {
    fail = 1;
  }
  process.stdout.write(`\n${pass} passed, ${fail} failed\n`);
  process.exit(code ?? 1);
});
