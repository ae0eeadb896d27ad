#!/usr/bin/env node
// Runs the whole test suite — every *.test.ts with tap, then the Python peers' tests with pytest
// from the project's virtualenv — and ends with the one line CI reads: `N passed, N failed`.
// Arguments are passed on to tap (e.g. a file list); with arguments, pytest is skipped.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs a command, echoing its output, and resolves with its exit code and the output's tail. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-8192);
    });
    child.on('error', (e) => resolve({ code: 127, tail: String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
  });
}

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;

const tap = await run('npx', ['tap', '--reporter=tap', ...args]);
// tap's closing summary: `# { total: 12, pass: 11, fail: 1 }` (keys left out when zero).
const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/.exec(tap.tail);
if (m) {
  passed += Number(m[2] ?? 0);
  failed += Number(m[3] ?? 0) + (tap.code !== 0 && !m[3] ? 1 : 0);
} else failed += 1;

let code = tap.code;
if (args.length === 0) {
  const python = '.venv/bin/python';
  if (!existsSync(python)) {
    process.stdout.write('\nnot ok - the Python peers are not set up: run `npm run setup`\n');
    failed += 1;
    code = code || 1;
  } else {
    const py = await run(python, ['-m', 'pytest', 'peers/tests', '-q', '-p', 'no:cacheprovider']);
    // pytest's closing line: `105 passed, 2 failed in 5.1s` (parts left out when zero).
    const p = /(\d+) passed/.exec(py.tail);
    const f = /(\d+) failed/.exec(py.tail);
    const e = /(\d+) errors?/.exec(py.tail);
    passed += Number(p?.[1] ?? 0);
    failed += Number(f?.[1] ?? 0) + Number(e?.[1] ?? 0) + (py.code !== 0 && !f && !e ? 1 : 0);
    code = code || py.code;
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(code);
