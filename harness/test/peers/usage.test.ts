// A local peer's CPU time and memory (harness/peers/usage.ts): /proc/<pid>/stat lines are read
// from the last ')' (a command name may hold both), and a process group's usage is the sum of its
// live processes, growing while one of them computes.
import t from 'tap';
import { spawn } from 'node:child_process';
import { parseStat, processGroupUsage } from '../../peers/usage.js';

void t.test('a stat line is read from its last parenthesis', async (t) => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  const line = '4242 (a) b (c)) R 1 4242 4242 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 99 1000 321 0';
  t.same(parseStat(line), { state: 'R', pgrp: 4242, ticks: 200, rssPages: 321 });
  t.equal(parseStat('garbage'), undefined);
  t.equal(parseStat('1 (x) R 1'), undefined, 'too short');
});

void t.test(
  'a process group that computes shows CPU time and memory',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async (t) => {
    const child = spawn(
      process.execPath,
      ['-e', 'const e = Date.now() + 3000; while (Date.now() < e);'],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    t.teardown(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const a = await processGroupUsage(child.pid!);
    await new Promise((r) => setTimeout(r, 1000));
    const b = await processGroupUsage(child.pid!);
    t.ok(a !== undefined && b !== undefined, 'found');
    t.ok(b!.cpuMs - a!.cpuMs >= 300, `CPU grew by ${b!.cpuMs - a!.cpuMs} ms in 1 s of a busy loop`);
    t.ok(b!.rssBytes > 10 * 1024 ** 2, `${b!.rssBytes} bytes resident`);
    t.equal(await processGroupUsage(2 ** 22 + 7), undefined, 'no such group');
  },
);
