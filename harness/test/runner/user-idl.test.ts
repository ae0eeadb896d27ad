// Your own IDL (--idl): a file and its includes (next to it, then -I folders) become one flat
// schema with an Echo service appended; what cannot be used is refused with the file, the line
// and the fix; a run checks every struct and union of the file against a real peer, shrinking
// only values; apache-dialect fields without requiredness always get a value.
import t from 'tap';
import fc from 'fast-check';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileTree } from '../file-tree.js';
import { loadUserIdl, userCaseArb, UserIdlError } from '../../runner/user-idl.js';
import { runCases } from '../../runner/run.js';
import { loadKnownFailuresFor, readerOf } from '../../runner/known-failures.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? 20261130);
t.comment(`user-idl seed ${seed} (FC_SEED=${seed})`);

/** Writes files (path → text) under a new temp folder; returns the folder. */
const tree = (files: Record<string, string>): string => fileTree('tc-user-idl-', files);

void t.test('a file and its includes become one flat schema with Echo', async (t) => {
  const dir = tree({
    'svc/service.thrift':
      'include "../common/base.thrift"\ninclude "shared.thrift"\nstruct Shape {\n  1: required string name\n  2: optional list<shared.Point> points\n  3: optional base.Id id\n}\nunion V { 1: i64 n, 2: Shape s }\nexception Oops { 1: optional string why }\n',
    'common/base.thrift': 'typedef i64 Id\n',
    'inc/shared.thrift': 'struct Point { 1: required i32 x, 2: required i32 y }\n',
  });
  const s = loadUserIdl(join(dir, 'svc/service.thrift'), { includeDirs: [join(dir, 'inc')] });
  t.same(Object.keys(s.files).sort(), ['base.thrift', 'service.thrift', 'shared.thrift']);
  t.equal(s.main, 'service.thrift');
  t.same(s.types, ['Shape', 'V'], 'structs and unions are echoed, not exceptions');
  t.match(s.files['service.thrift'], /^include "\.\/base\.thrift"\ninclude "\.\/shared\.thrift"\n/);
  t.match(
    s.files['service.thrift'],
    /service Echo \{\n {2}Shape echoShape\(1: Shape v\)\n {2}V echoV\(1: V v\)\n\}/,
  );
  const [c] = fc.sample(userCaseArb([s], 3), { seed, numRuns: 1 });
  t.same(
    [...c!.schema.classes.keys()],
    ['Shape', 'V'],
    'the cases draw values of the echoed types',
  );
});

void t.test('what cannot be used is refused with where and how to fix it', async (t) => {
  const dir = tree({
    'a.thrift': 'struct A { 1: required i32 a }\ninclude "missing.thrift"\n',
    'b.thrift': 'include "x/c.thrift"\ninclude "y/c.thrift"\nstruct B { 1: required i32 b }\n',
    'x/c.thrift': 'struct C1 { 1: required i32 c }\n',
    'y/c.thrift': 'struct C2 { 1: required i32 c }\n',
    'e.thrift': 'struct E { 1: required i32 e }\nservice Echo { void ping() }\n',
    'n.thrift': 'enum N { A = 1 }\n',
    'tc.thrift': 'struct TConformX { 1: required i32 x }\n',
    'bad.thrift': 'struct Bad { 1: required i32 }\n',
    'apache.thrift': 'struct P { i32 x }\n',
  });
  const refused = (file: string, re: RegExp, dialect?: 'apache' | 'thriftrw') => {
    try {
      loadUserIdl(join(dir, file), dialect ? { dialect } : {});
      t.fail(`${file} was accepted`);
    } catch (e) {
      t.ok(e instanceof UserIdlError, `${file}: a UserIdlError`);
      t.match((e as Error).message, re, file);
    }
  };
  refused(
    'a.thrift',
    /a\.thrift:2: include "missing\.thrift" is not next to the file .*add its folder with -I DIR/,
  );
  refused('b.thrift', /have the same base name c\.thrift.*rename one of them/);
  refused('e.thrift', /declares a service named Echo.*rename yours/);
  refused('n.thrift', /declares no struct, union or service function/);
  refused('tc.thrift', /declares TConformX, a name starting with TConform.*rename yours/);
  refused('bad.thrift', /bad\.thrift:1/);
  refused('nope.thrift', /no such file/);
  refused(
    'apache.thrift',
    /apache\.thrift:1:12: field 'x' of struct 'P' has no id \(the thriftrw dialect/,
    'thriftrw',
  );
  t.doesNotThrow(() => loadUserIdl(join(dir, 'apache.thrift'), { dialect: 'apache' }));
});

void t.test('a run against a real peer checks every type of the file', async (t) => {
  const dir = tree({
    'user.thrift':
      'enum Color { RED = 1, GREEN = 2 }\nstruct Item {\n  1: required string sku\n  2: optional Color color\n  3: optional map<string, double> attrs\n}\nunion Pick { 1: Item item, 2: list<i64> ids }\n',
    'apache.thrift': 'struct Loose { 1: i32 n, 2: string s, 3: list<i16> l }\n',
  });
  const spec = defaultProcessPeers(root).find((s) => s.name === 'apache-py')!;
  const peer = await ProcessPeer.start(spec);
  t.teardown(() => peer.stop());
  const userSchemas = [
    loadUserIdl(join(dir, 'user.thrift')),
    loadUserIdl(join(dir, 'apache.thrift'), { dialect: 'apache' }),
  ];
  const knownFailures = loadKnownFailuresFor(join(root, 'cases', 'known-failures'), [
    { name: 'ours' },
    readerOf(peer.manifest!),
  ]);
  const out = await runCases({
    peers: [peer],
    seed,
    runs: 6,
    values: 4,
    userSchemas,
    knownFailures,
  });
  // The envelope cases of the invalid-input matrix use a fixed IDL of their own (Env.echo).
  const types = new Set(
    out.results.filter((r) => r.type && !r.name.includes('/invalid/envelopes/')).map((r) => r.type),
  );
  t.same([...types].sort(), ['Item', 'Loose', 'Pick'], 'every echoed type was checked');
  const properties = new Set(out.results.map((r) => `${r.peer} ${r.property}`));
  for (const p of [
    'ours idl-roundtrip',
    'ours codec-roundtrip',
    'apache-py peer-roundtrip',
    'apache-py our-client-peer-server',
    'apache-py peer-client-our-server',
  ])
    t.ok(properties.has(p), p);
  t.notOk(
    out.results.some((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error'),
    `conformant, known failures aside (apache-dialect fields without requiredness always set): ${out.results
      .filter((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error')
      .slice(0, 3)
      .map((r) => `${r.name}: ${r.summary}`)
      .join('; ')}`,
  );
  t.ok(
    out.results
      .filter((r) => r.type === 'Loose' && r.valueJson !== undefined)
      .every((r) => ['n', 's', 'l'].every((f) => f in (JSON.parse(r.valueJson!) as object))),
    'every Loose value sets its fields without requiredness',
  );
});

void t.test('what the apache dialect accepts but ignores is passed on as warnings', async (t) => {
  const dir = tree({
    'w.thrift': 'struct S xsd_all { 1: i32 a xsd_optional }\nservice X { async void f() }\n',
  });
  const warnings: string[] = [];
  const s = loadUserIdl(join(dir, 'w.thrift'), {
    dialect: 'apache',
    onWarning: (w) => warnings.push(w.message),
  });
  t.same(s.types, ['S']);
  t.equal(warnings.length, 3, warnings.join('\n'));
  t.match(warnings[0], /^w\.thrift:1:1: 'xsd_all' on struct 'S' is ignored/);
  t.match(warnings[2], /^w\.thrift:2:13: 'async' is Apache's deprecated word for 'oneway'/);
});
