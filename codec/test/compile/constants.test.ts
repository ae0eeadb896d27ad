// Constants: typed against their (typedef-resolved) type, in runtime form; references and cycles.
import t from 'tap';
import { BASE } from '../../src/schema/spec.js';
import { compile, compileError, constOf, lines, plain } from './helpers.js';

/** The plain value of `const <type> X = <value>`, compiled after `prelude`. */
const value = (type: string, v: string, prelude = ''): unknown =>
  plain(constOf(compile(lines(prelude, `const ${type} X = ${v}`)), 'X'));

/** The error of `const <type> X = <value>`; `at` is 'value' when it points at the value. */
const valueError = (type: string, v: string): { at: string; reason: string } => {
  const e = compileError(`const ${type} X = ${v}`);
  const col = 'const '.length + type.length + ' X = '.length + 1;
  return { at: e.at === `main.thrift:1:${col}` ? 'value' : e.at, reason: e.reason };
};

const STATUS = 'enum Status { QUEUED, RUNNING = 5 }';

void t.test('integers: ranges per type, i64 as bigint', async (t) => {
  t.equal(value('byte', '-128'), -128);
  t.equal(value('i8', '127'), 127);
  t.equal(value('i16', '-32768'), -32768);
  t.equal(value('i32', '0x7fffffff'), 2147483647);
  t.equal(value('i64', '-9223372036854775808'), -9223372036854775808n);
  t.equal(value('i64', '9223372036854775807'), 9223372036854775807n);
  const cases: [string, string, string][] = [
    ['byte', '128', '128 is out of range for byte (-128 to 127)'],
    ['i8', '-129', '-129 is out of range for byte (-128 to 127)'],
    ['i16', '32768', '32768 is out of range for i16 (-32768 to 32767)'],
    ['i32', '-2147483649', '-2147483649 is out of range for i32 (-2147483648 to 2147483647)'],
    [
      'i64',
      '9223372036854775808',
      '9223372036854775808 is out of range for i64 (-9223372036854775808 to 9223372036854775807)',
    ],
  ];
  for (const [type, v, reason] of cases) {
    t.strictSame(valueError(type, v), { at: 'value', reason });
  }
  t.strictSame(valueError('i32', '1.5'), {
    at: 'value',
    reason: 'expected an integer for i32, found number 1.5',
  });
  t.strictSame(valueError('i32', '"1"'), {
    at: 'value',
    reason: 'expected an integer for i32, found string "1"',
  });
  t.strictSame(valueError('i32', 'true'), {
    at: 'value',
    reason: "expected an integer for i32, found 'true'",
  });
});

void t.test('bool, double, string, binary, uuid', async (t) => {
  t.equal(value('bool', 'true'), true);
  t.equal(value('bool', 'false'), false);
  t.equal(value('bool', '1'), true);
  t.equal(value('bool', '0'), false);
  t.strictSame(valueError('bool', '2'), {
    at: 'value',
    reason: 'expected true, false, 0 or 1 for bool, found integer 2',
  });
  t.equal(value('double', '3'), 3);
  t.equal(value('double', '-2.5e3'), -2500);
  t.strictSame(valueError('double', '"x"'), {
    at: 'value',
    reason: 'expected a number for double, found string "x"',
  });
  t.equal(value('string', '"hé"'), 'hé');
  t.strictSame(valueError('string', '5'), {
    at: 'value',
    reason: 'expected a string for string, found integer 5',
  });
  t.strictSame(value('binary', '"hé"'), [104, 195, 169]);
  const bin = constOf(compile('const binary B = "ab"'), 'B');
  t.ok(bin.kind === 'scalar' && bin.value instanceof Uint8Array, 'binary is a Uint8Array');
  t.equal(
    value('uuid', '"0123ABCD-4567-89ab-CDEF-0123456789AB"'),
    '0123abcd-4567-89ab-cdef-0123456789ab',
  );
  t.strictSame(valueError('uuid', '"0123abcd-4567-89ab-cdef-0123456789a"'), {
    at: 'value',
    reason:
      'string "0123abcd-4567-89ab-cdef-0123456789a" is not a uuid; a uuid string ' +
      "('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', or in braces)",
  });
});

void t.test('lists, sets and maps', async (t) => {
  t.strictSame(value('list<i64>', '[1, 2, 3,]'), [1n, 2n, 3n]);
  t.strictSame(value('set<string>', '["a", "b"]'), ['a', 'b']);
  t.strictSame(value('list<list<byte>>', '[[1], []]'), [[1], []]);
  t.strictSame(value('map<string, list<bool>>', '{"a": [true, 0], "b": []}'), [
    ['a', [true, false]],
    ['b', []],
  ]);
  t.strictSame(value('map<i32, string>', '{}'), []);
  t.strictSame(valueError('list<i32>', '{}'), {
    at: 'value',
    reason:
      "expected a list [...] for list<i32>, found a map (the thriftrw dialect wants [] for an empty list; the apache dialect also takes {}, as Apache's compiler does). Please write []",
  });
  t.strictSame(valueError('map<i32,i32>', '[]'), {
    at: 'value',
    reason:
      "expected a map {...} for map<i32,i32>, found a list (the thriftrw dialect wants {} for an empty map; the apache dialect also takes [], as Apache's compiler does). Please write {}",
  });
  t.strictSame(valueError('list<byte>', '[1, 200]'), {
    at: 'main.thrift:1:26',
    reason: '200 is out of range for byte (-128 to 127)',
  });
});

void t.test('enums: item values, Enum.ITEM, and only items of the enum', async (t) => {
  t.equal(value('Status', '5', STATUS), 5);
  t.equal(value('Status', 'Status.RUNNING', STATUS), 5);
  t.equal(value('i32', 'Status.RUNNING', STATUS), 5, 'an enum item is an integer');
  t.equal(value('double', 'Status.RUNNING', STATUS), 5);
  t.strictSame(value('list<Status>', '[0, Status.QUEUED]', STATUS), [0, 0]);
  t.strictSame(compileError(lines(STATUS, 'const Status X = 3')), {
    at: 'main.thrift:2:18',
    reason: "3 is not a value of enum 'Status' (QUEUED=0, RUNNING=5)",
    related: [],
  });
  t.strictSame(compileError(lines(STATUS, 'const Status X = Status.RUNING')), {
    at: 'main.thrift:2:18',
    reason: "enum 'Status' has no item 'RUNING'; did you mean 'Status.RUNNING'?",
    related: ['main.thrift:1:1'],
  });
  t.strictSame(compileError(lines(STATUS, 'enum Other { A }', 'const Status X = Other.A')), {
    at: 'main.thrift:3:18',
    reason: "'Other.A' is an item of enum 'Other', not of enum 'Status'",
    related: ['main.thrift:2:14'],
  });
  t.strictSame(
    compileError(
      lines(
        STATUS,
        'const byte X = Status.RUNNING',
        'enum Big { B = 300 }',
        'const byte Y = Big.B',
      ),
    ),
    {
      at: 'main.thrift:4:16',
      reason:
        "enum item 'Big.B' (300) cannot be used as byte: 300 is out of range for byte (-128 to 127)",
      related: ['main.thrift:3:12'],
    },
  );
  t.strictSame(compileError(lines(STATUS, 'const string X = Status.QUEUED')), {
    at: 'main.thrift:2:18',
    reason: "enum item 'Status.QUEUED' (0) cannot be used as string: expected a string",
    related: ['main.thrift:1:15'],
  });
  t.equal(
    value('Alias', 'Alias.QUEUED', lines(STATUS, 'typedef Status Alias')),
    0,
    'through a typedef',
  );
});

void t.test('typedefs: constants are typed against the resolved type', async (t) => {
  const m = compile(lines('typedef i8 Small', 'typedef Small Tiny', 'const Tiny T = 5'));
  t.equal(m.constants.get('T')?.type, BASE.byte);
  t.strictSame(compileError(lines('typedef i8 Small', 'const Small S = 500')), {
    at: 'main.thrift:2:17',
    reason: '500 is out of range for byte (-128 to 127)',
    related: [],
  });
});

void t.test('constants refer to constants, converted to the expected type', async (t) => {
  const m = compile(lines(
    'const list<i64> L = [A, B]',
    'const i32 A = 5',
    'const i64 B = A',
    'const double D = A',
    'const set<i64> S = L',
    'const string U = "0123ABCD-4567-89ab-cdef-0123456789ab"',
    'const uuid V = U',
    'const binary W = U',
    'const map<string, i32> M = {"a": A}',
    'const map<string, i64> N = M',
  )); // prettier-ignore
  t.strictSame(plain(constOf(m, 'L')), [5n, 5n]);
  t.strictSame(plain(constOf(m, 'B')), 5n);
  t.strictSame(plain(constOf(m, 'D')), 5);
  t.strictSame(plain(constOf(m, 'S')), [5n, 5n]);
  t.strictSame(plain(constOf(m, 'V')), '0123abcd-4567-89ab-cdef-0123456789ab');
  t.equal((plain(constOf(m, 'W')) as number[]).length, 36);
  t.strictSame(plain(constOf(m, 'N')), [['a', 5n]]);
  t.strictSame(compileError(lines('const i32 BIG = 1000', 'const list<byte> L = [BIG]')), {
    at: 'main.thrift:2:23',
    reason:
      "constant 'BIG' of type i32 cannot be used as byte: 1000 is out of range for byte (-128 to 127)",
    related: ['main.thrift:1:1'],
  });
  t.strictSame(compileError(lines('const string S = "x"', 'const i32 I = S')), {
    at: 'main.thrift:2:15',
    reason: "constant 'S' of type string cannot be used as i32",
    related: ['main.thrift:1:1'],
  });
  t.strictSame(compileError(lines('const string S = "x"', 'const uuid I = S')).reason,
    `constant 'S' of type string cannot be used as uuid: "x" is not a uuid`); // prettier-ignore
});

void t.test('unknown constants, non-values and cycles', async (t) => {
  t.strictSame(compileError(lines('const i32 LIMIT = 1', 'const i32 X = LIMT')), {
    at: 'main.thrift:2:15',
    reason: "unknown constant 'LIMT'; did you mean 'LIMIT'?",
    related: [],
  });
  t.strictSame(compileError(lines('enum Status { QUEUED }', 'const Status X = Stats.QUEUED')), {
    at: 'main.thrift:2:18',
    reason: "unknown constant 'Stats.QUEUED'; did you mean 'Status.QUEUED'?",
    related: [],
  });
  t.strictSame(compileError(lines('struct Foo {}', 'const i32 X = Foo')), {
    at: 'main.thrift:2:15',
    reason:
      "'Foo' is a struct, not a constant or enum item; a value must name a constant or an enum item (Enum.ITEM)",
    related: [],
  });
  t.strictSame(compileError(lines('const i32 A = B', 'const i32 B = C', 'const i32 C = A')), {
    at: 'main.thrift:3:15',
    reason:
      'constant cycle: A -> B -> C -> A; a constant cannot depend on itself. Please write one of these values out',
    related: ['main.thrift:1:1', 'main.thrift:2:1', 'main.thrift:3:1'],
  });
  t.strictSame(compileError('const list<i32> A = [1, A]'), {
    at: 'main.thrift:1:25',
    reason:
      'constant cycle: A -> A; a constant cannot depend on itself. Please write one of these values out',
    related: ['main.thrift:1:1'],
  });
});
