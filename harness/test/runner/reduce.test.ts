// The reducer: from a three-file case whose "failure" is a string field `x` of T set in the value,
// it removes everything else — the included files, other definitions, fields, functions, defaults
// and the value's other fields — keeping only edits that compile, fit the value and still fail.
import t from 'tap';
import { caseSize, reduceCase } from '../../runner/reduce.js';
import type { ReducedCandidate, ReducibleCase } from '../../runner/reduce.js';

const start: ReducibleCase = {
  main: 'generated.thrift',
  type: 'T',
  files: {
    'generated.thrift': `include "./shared.thrift"

enum E {
  A,
  B = 7,
}

typedef shared.S Alias

const i32 C = 3

struct T {
  1: optional string x,
  2: optional Alias s,
  3: required list<E> es = [E.A],
  4: optional i32 n = C,
}

struct U {
  1: optional T t,
}

service Other {
  void ping(1: T t),
}

service Echo {
  T echoT(1: T v),
  U echoU(1: U v),
}
`,
    'shared.thrift': `include "./common.thrift"

struct S {
  1: optional common.K k,
}
`,
    'common.thrift': `struct K {
  1: optional bool b,
}
`,
  },
  value: { x: 'hello', s: { k: { b: true } }, es: [0, 7, 0], n: 5 },
};

void t.test('reduces to what the failure needs', async (t) => {
  const tried: number[] = [];
  const stillFails = async (c: ReducedCandidate) => {
    tried.push(caseSize(c));
    const spec = c.schema.classes.get(c.type)?.__spec__;
    const f = spec?.fields.find((x) => x.name === 'x');
    return f?.type.kind === 'string' && typeof (c.value as { x?: unknown }).x === 'string';
  };
  const out = await reduceCase(start, { deadline: performance.now() + 30_000, stillFails });
  t.ok(out.steps > 5, `kept ${out.steps} edits of ${tried.length} tried`);
  t.same(Object.keys(out.case.files), ['generated.thrift'], 'the included files are gone');
  t.equal(
    out.case.files['generated.thrift'],
    `struct T {
  1: optional string x,
}

service Echo {
  T echoT(1: T v),
}
`,
  );
  t.same(out.case.value, { x: 'hello' });
  t.ok(caseSize(out.case) < caseSize(start), 'smaller');
  t.ok(
    tried.every((n) => n < caseSize(start)),
    'only candidates smaller than the case they come from are tried',
  );
});

void t.test('past the deadline nothing is tried', async (t) => {
  let calls = 0;
  const out = await reduceCase(start, {
    deadline: performance.now() - 1,
    stillFails: async () => {
      calls++;
      return true;
    },
  });
  t.equal(calls, 0);
  t.equal(out.steps, 0);
  t.same(out.case, start);
});

void t.test('a failure that needs everything keeps everything', async (t) => {
  const out = await reduceCase(start, {
    deadline: performance.now() + 30_000,
    stillFails: async () => false,
  });
  t.equal(out.steps, 0);
  t.same(out.case, start);
});
