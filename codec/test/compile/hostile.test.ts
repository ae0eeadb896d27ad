// IDL under hostile input (issue 9): what used to overflow the stack or take quadratic time is
// now linear or refused with a located error under a documented limit. Linear-time checks print
// the ratio of two sizes' costs (never a timed assertion: the machine is shared and noisy).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { compile, load } from '../../src/index.js';
import type { StructClass, ThriftModule } from '../../src/index.js';

/** Runs `f` and returns the error it throws (or fails). */
function error(f: () => unknown): { name: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** The ratio of the time of `f(2n)` to `f(n)` (best of 3 each): about 2 when linear. */
function ratio(f: (n: number) => unknown, n: number): number {
  const best = (k: number) => {
    let ms = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      f(k);
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  best(n); // warm up
  return best(2 * n) / best(n);
}

void t.test(
  'list< nested 7,000 deep and a const nested 10,000 deep are located errors',
  async (t) => {
    const deep = `struct S { 1: optional ${'list<'.repeat(7000)}i32${'>'.repeat(7000)} x }`;
    t.match(
      error(() => compile(deep)),
      {
        name: 'IdlSyntaxError',
        message:
          /^main\.thrift:1:524: a type nested deeper than 100 levels; the codec accepts at most 100/,
      },
    );
    const c = `const list<i32> X = ${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    t.match(
      error(() => compile(c)),
      {
        name: 'IdlSyntaxError',
        message: /^main\.thrift:1:121: a constant value nested deeper than 100 levels/,
      },
    );
    const ok = `struct S { 1: optional ${'list<'.repeat(100)}i32${'>'.repeat(100)} x }`;
    const m = compile(ok);
    t.equal(m.dumps(new (m.S as StructClass)({})).length, 1, '100 levels compile and encode');
  },
);

void t.test(
  'typedefs that nest containers past the limit are refused where they pass it',
  async (t) => {
    let s = '';
    for (let i = 0; i < 200; i++) s += `typedef list<T${i + 1}> T${i}\n`;
    s += 'typedef i32 T200\n';
    t.match(
      error(() => compile(s)),
      {
        name: 'IdlCompileError',
        message:
          /^main\.thrift:\d+:9: containers nested deeper than 100 levels \(counting through typedefs\)/,
      },
    );
  },
);

void t.test('a typedef chain of 100,000 in reverse order compiles, in linear time', async (t) => {
  const chain = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += `typedef T${i + 1} T${i}\n`;
    return compile(`${s}typedef i32 T${n}\nstruct S { 1: optional T0 x }`);
  };
  const m = chain(100_000);
  t.equal(m.dumps(new (m.S as StructClass)({ x: 5 })).length, 8);
  t.comment(`typedef chain: cost(40,000) / cost(20,000) = ${ratio(chain, 20_000).toFixed(2)}`);
});

void t.test('a const chain of 100,000 in reverse order compiles, in linear time', async (t) => {
  const chain = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += `const i32 C${i} = C${i + 1}\n`;
    return compile(`${s}const i32 C${n} = 7\n`);
  };
  t.equal(chain(100_000).C0, 7);
  t.comment(`const chain: cost(40,000) / cost(20,000) = ${ratio(chain, 20_000).toFixed(2)}`);
  // Values that nest through the constants they name, and values that double at each step.
  let s = 'const list<i32> A0 = [1]\n';
  let type = 'list<i32>';
  for (let i = 1; i <= 90; i++) {
    type = `list<${type}>`;
    s += `typedef ${type} LT${i}\nconst LT${i} A${i} = [A${i - 1}]\n`;
  }
  t.ok(compile(s), '90 levels through constants compile');
  let structs = 'struct N { 1: optional N n }\nconst N N0 = {}\n';
  for (let i = 1; i <= 150; i++) structs += `const N N${i} = {"n": N${i - 1}}\n`;
  t.match(
    error(() => compile(structs)),
    {
      name: 'IdlCompileError',
      message:
        /^main\.thrift:102:\d+: this value nests 101 levels deep once the constants it names/,
    },
  );
  let twice = 'const list<i32> B0 = [1, 2]\n';
  for (let i = 1; i <= 25; i++) {
    const ty = `${'list<'.repeat(i)}list<i32>${'>'.repeat(i)}`;
    twice += `const ${ty} B${i} = [B${i - 1}, B${i - 1}]\n`;
  }
  t.match(
    error(() => compile(twice)),
    {
      name: 'IdlCompileError',
      message:
        /^main\.thrift:\d+:\d+: this value would build \d+ values once the constants it names are put in/,
    },
  );
});

void t.test(
  'an include chain of 2,000 files is refused at the include that passes 64',
  async (t) => {
    const files: Record<string, string> = {};
    for (let i = 1; i < 2000; i++) files[`f${i}.thrift`] = `include "f${i + 1}.thrift"\n`;
    files['f2000.thrift'] = 'struct Z { 1: optional i32 a }';
    t.match(
      error(() => compile('include "f1.thrift"\n', { includes: files })),
      {
        name: 'IdlCompileError',
        message:
          /^f63\.thrift:1:1: include chain deeper than 64 files \(main\.thrift -> \.\.\. -> f63\.thrift -> f64\.thrift\)/,
      },
    );
    files['f60.thrift'] = 'struct Z { 1: optional i32 a }';
    t.ok(compile('include "f1.thrift"\n', { includes: files }), '60 levels are fine');
  },
);

void t.test('a struct whose default builds itself without end is refused', async (t) => {
  t.strictSame(error(() => compile('struct S { 1: optional S s = {} }')).message,
    "main.thrift:1:12: the default of S.s never finishes building: S.s -> S.s (each default " +
    'leaves the next field unset, so its own default applies). Please set that field in the ' +
    'constant, or remove one of these defaults'); // prettier-ignore
  const two = 'struct A { 1: optional B b = {} }\nstruct B { 1: optional A a = {"b": {}} }';
  t.match(
    error(() => compile(two)),
    {
      name: 'IdlCompileError',
      message: /the default of [AB]\.[ab] never finishes building: /,
    },
  );
  const ends = compile('struct S { 1: optional list<S> kids = [{"kids": []}] }');
  const s = new (ends.S as StructClass)({}) as unknown as { kids: { kids: unknown[] }[] };
  t.strictSame(s.kids[0]!.kids, [], 'a default that sets the field ends, and is accepted');
});

void t.test(
  '2,000 nested struct types and 16,000 container fields encode and decode',
  async (t) => {
    let s = '';
    for (let i = 0; i < 2000; i++) s += `struct S${i} { 1: optional S${i + 1} x }\n`;
    s += 'struct S2000 { 1: optional i32 a }\n';
    const m = compile(s);
    const S0 = m.S0 as StructClass;
    t.strictSame(m.dumps(new S0({})), Uint8Array.of(0), 'the first dumps compiles one type');
    let v: object = new (m.S1500 as StructClass)({});
    for (let i = 1499; i >= 0; i--) v = new (m[`S${i}`] as StructClass)({ x: v });
    const bytes = m.dumps(v);
    t.ok(
      m.equals(m.loads(S0, bytes, { limits: { maxDepth: 2000 } }), v),
      'a value 1,501 levels deep',
    );

    const wide = (n: number, type: string): ThriftModule => {
      let w = 'struct W {\n';
      for (let i = 1; i <= n; i++) w += `${i}: optional ${type} f${i}\n`;
      return compile(`${w}}`);
    };
    for (const type of ['map<string, list<i32>>', 'list<list<i32>>']) {
      const w = wide(16_000, type);
      const W = w.W as StructClass;
      const value = new W({ f7: type.startsWith('map') ? new Map([['k', [1]]]) : [[1]] });
      t.ok(w.equals(w.loads(W, w.dumps(value)), value), `16,000 fields of ${type}`);
    }
    const cost = (n: number) => {
      const w = wide(n, 'list<list<i32>>');
      const W = w.W as StructClass;
      return w.loads(W, w.dumps(new W({})));
    };
    t.comment(`wide struct: cost(8,000) / cost(4,000) = ${ratio(cost, 4000).toFixed(2)}`);
  },
);

void t.test('extends chains: linear up to 100 levels, refused past them', async (t) => {
  const chain = (n: number) => {
    let s = 'service V0 { void f0() }\n';
    for (let i = 1; i < n; i++)
      s += `service V${i} extends V${i % 100 === 0 ? 0 : i - 1} { void f${i}() }\n`;
    return compile(s);
  };
  t.ok(chain(4000), '4,000 services in chains of at most 100');
  t.comment(`extends: cost(4,000) / cost(2,000) = ${ratio(chain, 2000).toFixed(2)}`);
  let s = 'service V0 { void f0() }\n';
  for (let i = 1; i < 4000; i++) s += `service V${i} extends V${i - 1} { void f${i}() }\n`;
  t.strictSame(error(() => compile(s)).message,
    "main.thrift:102:1: service 'V101' extends a chain of 101 services; the codec accepts at " +
    'most 100. Please extend a service nearer the root'); // prettier-ignore
});

void t.test('invalid UTF-8 in a string constant and 1e400 are located errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-idl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.thrift');
  const text = Buffer.from(
    '// caf\xe9 in a comment is fine\nconst string S = "ab\xffc"\n',
    'latin1',
  );
  writeFileSync(file, text);
  t.strictSame(error(() => load(file)).message,
    `${file}:2:21: invalid UTF-8 in a string literal (byte 0xff, or a lone surrogate \\udcff). ` +
    'Please save the file as UTF-8, or write the character as a \\uXXXX escape\n' +
    '  const string S = "ab\udcffc"\n                      ^'); // prettier-ignore
  const good = join(dir, 'good.thrift');
  writeFileSync(
    good,
    Buffer.from('// caf\xe9\nconst string S = "caf\u00e9 \u{1f600}"\n', 'latin1'),
  );
  writeFileSync(good, '// café\nconst string S = "café 😀"\n');
  t.equal(load(good).S, 'café 😀', 'valid UTF-8 is read as before');
  t.match(
    error(() => compile('const string S = "a\ud800b"')),
    {
      name: 'IdlSyntaxError',
      message: /^main\.thrift:1:20: lone surrogate \\ud800 in a string literal/,
    },
  );
  t.match(
    error(() => compile('const double D = 1e400')),
    {
      name: 'IdlSyntaxError',
      message: /^main\.thrift:1:18: number 1e400 overflows to Infinity: a double holds magnitudes/,
    },
  );
  t.match(
    error(() => compile('const double D = -1e400')),
    { message: /overflows to Infinity/ },
  );
  t.match(
    error(() => compile('const double D = 1e-400')),
    { message: /underflows to 0/ },
  );
  t.match(
    error(() => compile(`const double D = 1${'0'.repeat(400)}`)),
    {
      name: 'IdlCompileError',
      message: /^main\.thrift:1:18: integer 10+ is too large for a double/,
    },
  );
  t.equal(compile('const double D = 0.0e5').D, 0, 'a zero is still zero');
  t.equal(compile('const double D = 5e-324').D, 5e-324, 'the smallest subnormal is fine');
});
