// Struct, union and exception constants (maps of field names) and field defaults.
import t from 'tap';
import { compile, compileError, constOf, fieldOf, lines, plain, structOf } from './helpers.js';

const STATUS = 'enum Status { QUEUED, RUNNING = 5 }';

const ITEM =
  'struct Item { 1: required string key, 2: required i32 value, 3: optional i32 extra, 4: required bool flag = true }';

void t.test('struct, union and exception constants are maps of field names', async (t) => {
  const m = compile(lines(
    ITEM,
    "const Item ZERO_ITEM = {'key': '', 'value': 0}",
    'union Value { 1: string s, 2: Item item }',
    'const list<Value> VS = [{"s": "x"}, {"item": ZERO_ITEM}, {"item": {"key": "k", "value": 1, "extra": 2}}]',
    'exception Oops { 1: optional string why }',
    'const Oops O = {}',
    'struct Holder { 1: optional Item item = {"key": "d", "value": 9} }',
  )); // prettier-ignore
  t.strictSame(
    plain(constOf(m, 'ZERO_ITEM')),
    { $struct: 'Item', key: '', value: 0 },
    'only what is written',
  );
  t.strictSame(plain(constOf(m, 'VS')), [
    { $struct: 'Value', s: 'x' },
    { $struct: 'Value', item: { $struct: 'Item', key: '', value: 0 } },
    { $struct: 'Value', item: { $struct: 'Item', key: 'k', value: 1, extra: 2 } },
  ]);
  t.strictSame(plain(constOf(m, 'O')), { $struct: 'Oops' });
  const d = fieldOf(structOf(m, 'Holder'), 'item').defaultValue;
  t.strictSame(d && plain(d), { $struct: 'Item', key: 'd', value: 9 });
  t.ok(d?.kind === 'struct' && d.spec === structOf(m, 'Item'));
});

void t.test('struct constant errors', async (t) => {
  t.strictSame(compileError(lines(ITEM, 'const Item X = {"key": "", "valeu": 0}')), {
    at: 'main.thrift:2:28',
    reason: "struct 'Item' has no field 'valeu'; did you mean 'value'?",
    related: [],
  });
  t.strictSame(compileError(lines(ITEM, 'const Item X = {"zzz": 0}')).reason,
    "struct 'Item' has no field 'zzz' (its fields: key, value, extra, flag)"); // prettier-ignore
  t.strictSame(compileError(lines(ITEM, 'const Item X = {1: 0}')), {
    at: 'main.thrift:2:17',
    reason:
      "the keys of a constant of struct 'Item' must be field names in quotes, found integer 1",
    related: [],
  });
  t.strictSame(compileError(lines(ITEM, 'const Item X = {"key": "a", "value": 1, "key": "b"}')), {
    at: 'main.thrift:2:41',
    reason:
      "field 'key' is set twice in this constant of struct 'Item' (first at main.thrift:2:17)",
    related: ['main.thrift:2:17'],
  });
  t.strictSame(compileError(lines(ITEM, 'const Item X = {"key": "a"}')), {
    at: 'main.thrift:2:16',
    reason: `this constant of struct 'Item' is missing the required field 'value'. Please add "value": <value>`,
    related: ['main.thrift:1:39'],
  });
  t.strictSame(compileError(lines(ITEM, 'const Item X = {"key": 1, "value": 1}')), {
    at: 'main.thrift:2:24',
    reason: 'expected a string for string, found integer 1',
    related: [],
  });
  t.strictSame(
    compileError(lines('union U { 1: i32 a, 2: i32 b }', 'const U X = {"a": 1, "b": 2}')),
    {
      at: 'main.thrift:2:13',
      reason: "a constant of union 'U' must set exactly one field, found 2 (a, b)",
      related: [],
    },
  );
  t.strictSame(compileError(lines('union U { 1: i32 a }', 'const U X = {}')).reason,
    "a constant of union 'U' must set exactly one field, found 0 (none)"); // prettier-ignore
  t.strictSame(compileError(lines(ITEM, 'const Item X = [1]')).reason,
    'expected a map of field names to values {"field": ...} for Item, found a list'); // prettier-ignore
  t.strictSame(compileError(lines(ITEM, 'struct Other {}', 'const Other O = {}', 'const Item X = O')).reason,
    "constant 'O' of type Other cannot be used as Item"); // prettier-ignore
});

void t.test('field defaults follow the same rules', async (t) => {
  t.strictSame(compileError(lines('struct S {', '  1: optional i16 x = 40000', '}')), {
    at: 'main.thrift:2:23',
    reason: '40000 is out of range for i16 (-32768 to 32767)',
    related: [],
  });
  t.strictSame(compileError(lines(STATUS, 'struct S { 1: optional Status s = 7 }')).reason,
    "7 is not a value of enum 'Status' (QUEUED=0, RUNNING=5)"); // prettier-ignore
  const m = compile(
    lines(
      STATUS,
      'struct S { 1: optional Status s = Status.RUNNING, 2: required i64 n = N }',
      'const i8 N = 3',
    ),
  );
  t.strictSame(fieldOf(structOf(m, 'S'), 's').defaultValue, { kind: 'scalar', value: 5 });
  t.strictSame(fieldOf(structOf(m, 'S'), 'n').defaultValue, { kind: 'scalar', value: 3n });
});
