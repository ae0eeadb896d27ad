// load(path, { includeDirs, onWarning }): includes are found beside the including file, then in
// each include folder in order (like `thrift -I`, measured: `-I d2 -I d1` takes d2's file, and a
// file beside the includer wins over both); warnings reach the caller, never the console.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from '../../src/node/load.js';
import type { IdlWarning } from '../../src/compile/index.js';
import { IdlCompileError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'idl-load-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

/** Writes `text` at `rel` under the temporary root; returns its absolute path. */
function write(rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

write('d1/common.thrift', 'const i32 A = 1\n');
write('d2/common.thrift', 'const i32 A = 2\n');
const main = write('src/main.thrift', 'include "common.thrift"\nconst i32 B = common.A\n');

void t.test('includeDirs are searched in order, after the including file', async (t) => {
  const dirs = (...d: string[]): string[] => d.map((x) => join(root, x));
  t.equal(load(main, { includeDirs: dirs('d1', 'd2') }).B, 1);
  t.equal(load(main, { includeDirs: dirs('d2', 'd1') }).B, 2, 'cached per list of folders');
  write('src2/main.thrift', 'include "common.thrift"\nconst i32 B = common.A\n');
  write('src2/common.thrift', 'const i32 A = 3\n');
  t.equal(load(join(root, 'src2/main.thrift'), { includeDirs: dirs('d1') }).B, 3);
  t.equal(load(main, { includeDirs: dirs('d1'), dialect: 'apache' }).B, 1);
});

void t.test('an include found nowhere names every place looked', async (t) => {
  t.throws(() => load(main), IdlCompileError, 'without includeDirs the file is not found');
  const other = write('src3/main.thrift', 'include "nowhere.thrift"\n');
  try {
    load(other, { includeDirs: [join(root, 'd1')] });
    t.fail('no error');
  } catch (e) {
    t.ok(e instanceof IdlCompileError);
    t.equal(
      (e as IdlCompileError).message,
      `${other}:1:1: cannot include 'nowhere.thrift': no file 'nowhere.thrift' beside ${other} ` +
        `or in the include folders (includeDirs): ${join(root, 'd1')}. Please add the folder ` +
        'that holds it to includeDirs',
    );
  }
});

void t.test('warnings go to onWarning, once per file compiled', async (t) => {
  const path = write('w/svc.thrift', 'service S { async void f() }\n');
  const warnings: IdlWarning[] = [];
  const m = load(path, { dialect: 'apache', onWarning: (w) => warnings.push(w) });
  t.ok(m.S, 'loaded');
  t.equal(warnings.length, 1);
  t.strictSame(warnings[0]?.loc, { file: path, line: 1, column: 13 });
  t.match(warnings[0]?.message, `${path}:1:13: 'async' is Apache's deprecated word for 'oneway'`);
  load(path, { dialect: 'apache', onWarning: (w) => warnings.push(w) });
  t.equal(warnings.length, 1, 'a cached module is not compiled again');
  t.throws(() => load(path), IdlCompileError, 'the thriftrw dialect refuses async');
});
