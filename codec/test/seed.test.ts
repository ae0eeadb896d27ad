// The seed's examples (the thriftrw documentation), as the seed shows them, in JavaScript terms.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, load, MessageType, ValidationError } from '../src/index.js';
import type { EnumObject, ServiceObject, StructClass, ThriftModule } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

const SEED = `
struct User {
    1: required string name
    2: optional string email
    3: required bool isActive = true
}

union Value {
    1: string stringValue
    2: i32 integerValue
}

enum Status {
    QUEUED,
    RUNNING,
    FAILED,
    SUCCEEDED,
}

enum PStatus { QUEUED, RUNNING } (py.primitiveType = "string")

exception ResourceDoesNotExist { 1: required string key }

service KeyValue {
    void putValue(1: string key, 2: Value value);
    Value getValue(1: string key)
        throws
          (1: ResourceDoesNotExist doesNotExist);
    list<Value> listValues();
}

const string LAST_UPDATED = "2015-08-28"

struct Item { 1: required string key, 2: required i32 value }

const Item ZERO_ITEM = {'key': '', 'value': 0}

typedef Foo Bar

struct Foo { 1: optional Bar next }

union Tree {
    1: Leaf leaf
    2: Branch branch
}

struct Leaf {
    1: required i32 value
}

struct Branch {
    1: required Tree leftTree
    2: required Tree rightTree
}
`;

const m: ThriftModule = compile(SEED, { file: 'keyvalue.thrift' });
const User = m.User as StructClass;
const Value = m.Value as StructClass;

void t.test('User: required, optional, defaults, TypeError-like errors', async (t) => {
  const john = new User({ name: 'John Smith', email: 'john@example.com' });
  t.equal(john.isActive, true, 'default applied');
  t.same(m.toPrimitive(john), { name: 'John Smith', email: 'john@example.com', isActive: true });
  const jane = new User({ name: 'Jane Smith', email: 'jane@example.com', isActive: true });
  t.ok(
    m.equals(
      jane,
      m.fromPrimitive(User, { name: 'Jane Smith', email: 'jane@example.com', ignored: 1 }),
    ),
  );
  t.throws(() => new User({}), new ValidationError('User.name', 'is required but was not given'));
  t.throws(() => new User({ name: 3 }), {
    name: 'ValidationError',
    message: 'User.name: expected a string, got 3 (number)',
  });
  t.throws(() => new User({ name: 'x', nope: 1 }), {
    message: /User\.nope: unknown field; User has fields name, email, isActive/,
  });
});

void t.test('Value union: exactly one field', async (t) => {
  t.equal(new Value({ integerValue: 3 }).integerValue, 3);
  t.throws(() => new Value({}), {
    message: /Value: a union needs exactly one field set, got none/,
  });
  t.throws(() => new Value({ stringValue: 'a', integerValue: 1 }), {
    message: /got 2: stringValue, integerValue/,
  });
});

void t.test('Status enum: values, names and lookup; string primitives by annotation', async (t) => {
  const Status = m.Status as EnumObject;
  t.same([Status.QUEUED, Status.RUNNING, Status.FAILED, Status.SUCCEEDED], [0, 1, 2, 3]);
  t.same(Status.names, ['QUEUED', 'RUNNING', 'FAILED', 'SUCCEEDED']);
  t.equal(Status.nameOf(2), 'FAILED');
  t.equal(Status.fromName('SUCCEEDED'), 3);
  t.equal(Status.nameOf(99), undefined);
  const src = compile(
    `enum S { A, B } (py.primitiveType = "string")\nstruct H { 1: required S s, 2: optional map<S, i32> m }`,
    { file: 'h.thrift' },
  );
  const H = src.H as StructClass;
  const h = new H({ s: 1, m: new Map([[0, 5]]) });
  t.same(src.toPrimitive(h), { s: 'B', m: { A: 5 } });
  t.ok(src.equals(src.fromPrimitive(H, { s: 'B', m: { A: 5 } }), h));
  t.ok(
    src.equals(src.fromPrimitive(H, { s: 1, m: [[0, 5]] }), h),
    'numbers and pairs are accepted too',
  );
});

void t.test('KeyValue service: request/response, success and exceptions, void', async (t) => {
  const KeyValue = m.KeyValue as ServiceObject;
  const getValue = KeyValue.getValue as {
    request: StructClass;
    response: StructClass;
    oneway: boolean;
  };
  const request = new getValue.request({ key: 'some_key' });
  const payload = m.dumps(request);
  t.ok(m.equals(m.loads(getValue.request, payload), request));
  const ok = new getValue.response({ success: new Value({ stringValue: 'v' }) });
  const failed = new getValue.response({
    doesNotExist: new (m.ResourceDoesNotExist as StructClass)({ key: 'k' }),
  });
  t.ok(m.equals(m.loads(getValue.response, m.dumps(failed)), failed));
  t.ok(m.equals(m.loads(getValue.response, m.dumps(ok)), ok));
  const putValue = KeyValue.putValue as { response: StructClass };
  t.same(m.toPrimitive(new putValue.response()), {}, 'void response takes nothing');
  const msg = m.loads.message(KeyValue, m.dumps.message(request, 10));
  t.equal(msg.name, 'getValue');
  t.equal(msg.messageType, MessageType.CALL);
  t.equal(msg.seqid, 10);
  t.ok(m.equals(msg.body, request));
  const e = new (m.ResourceDoesNotExist as StructClass)({ key: 'k' });
  t.ok(e instanceof Error, 'exceptions extend Error');
  t.match((e as unknown as Error).message, /key/);
});

void t.test('constants, struct constants and forward references', async (t) => {
  t.equal(m.LAST_UPDATED, '2015-08-28');
  t.ok(m.equals(m.ZERO_ITEM, new (m.Item as StructClass)({ key: '', value: 0 })));
  t.same(m.__constants__.LAST_UPDATED, '2015-08-28');
  const Foo = m.Foo as StructClass;
  const chain = new Foo({ next: new Foo({ next: new Foo({}) }) });
  t.ok(m.equals(m.loads(Foo, m.dumps(chain)), chain), 'typedef Foo Bar before Foo is defined');
});

void t.test('Tree/Leaf/Branch cyclic types', async (t) => {
  const Tree = m.Tree as StructClass;
  const Leaf = m.Leaf as StructClass;
  const Branch = m.Branch as StructClass;
  const tree = new Tree({
    branch: new Branch({
      leftTree: new Tree({ leaf: new Leaf({ value: 1 }) }),
      rightTree: new Tree({ leaf: new Leaf({ value: 2 }) }),
    }),
  });
  const back = m.loads(Tree, m.dumps(tree));
  t.ok(m.equals(back, tree));
  t.equal(
    (back.branch as Record<string, Record<string, Record<string, unknown>>>).rightTree!.leaf!.value,
    2,
  );
});

void t.test('module members the seed lists', async (t) => {
  t.equal(m.__thrift_source__, SEED);
  t.ok('User' in m.__types__ && 'Status' in m.__types__);
  t.ok('KeyValue' in m.__services__);
  t.equal((User as unknown as { __thrift_module__: unknown }).__thrift_module__, m);
  t.equal((m.KeyValue as { __thrift_module__?: unknown }).__thrift_module__, m);
});

void t.test('includes across folders; the same file loaded twice is the same module', async (t) => {
  const service = load(join(here, 'fixtures/seed/services/user.thrift'));
  const types = load(join(here, 'fixtures/seed/shared/types.thrift'));
  t.equal(service.types, types, 'service.types is types');
  t.equal(service.__includes__.types, types);
  t.equal(load(join(here, 'fixtures/seed/services/user.thrift')), service, 'load is cached');
  const UUID = types.UUID as StructClass;
  const user = new (service.User as StructClass)({ uuid: new UUID({ high: 1, low: 2n }) });
  t.equal(
    (user.uuid as Record<string, unknown>).high,
    1n,
    'i64 given as a number is stored as bigint',
  );
  t.ok(service.equals(service.loads(service.User as StructClass, service.dumps(user)), user));
});
