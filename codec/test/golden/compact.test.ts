// Compact-protocol golden vectors (compact-vectors.ts, annotated byte by byte from the spec),
// checked both ways: our encoder writes exactly these bytes and our decoder reads them back to
// the same value; the decode-only vectors read to their value; the bad ones are refused with a
// ProtocolError naming the field path and the offset.
import t from 'tap';
import { compile, MessageType, TApplicationException } from '../../src/index.js';
import type { ServiceObject, StructClass } from '../../src/index.js';
import { bytesOf } from './vectors.js';
import {
  BAD,
  COMPACT_IDL,
  COMPACT_MESSAGE_VECTORS,
  COMPACT_VECTORS,
  DECODE_ONLY,
} from './compact-vectors.js';

const mod = compile(COMPACT_IDL, { file: 'golden.thrift', dialect: 'apache' });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const compact = { protocol: 'compact' } as const;

/** Primitive form → value: maps are given as entry lists, sets as arrays. */
function valueOf(Type: StructClass, v: Record<string, unknown>): object {
  const fixed: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) fixed[k] = x;
  const o = mod.fromPrimitive(Type, fixed) as Record<string, unknown>;
  for (const f of Type.__spec__.fields) {
    const x = v[f.name];
    if (f.type.kind === 'map' && Array.isArray(x)) o[f.name] = new Map(x as [unknown, unknown][]);
  }
  return o;
}

for (const v of COMPACT_VECTORS) {
  void t.test(`compact vector: ${v.name}`, async (t) => {
    const Type = mod[v.type] as StructClass;
    const value = valueOf(Type, v.value);
    const want = bytesOf(v.lines);
    t.equal(hex(mod.dumps(value, compact)), hex(want), 'encode gives the annotated bytes');
    const back = mod.loads(Type, want, compact);
    t.ok(mod.equals(back, value), 'decode gives the value back');
    t.ok(back instanceof Type, 'decoded as an instance of the class');
  });
}

for (const v of DECODE_ONLY) {
  void t.test(`compact decode-only vector: ${v.name}`, async (t) => {
    const Type = mod[v.type] as StructClass;
    const back = mod.loads(Type, bytesOf(v.lines), compact);
    t.ok(mod.equals(back, valueOf(Type, v.value)), 'decodes to the value');
  });
}

for (const v of BAD) {
  void t.test(`compact bad vector: ${v.name}`, async (t) => {
    const Type = mod[v.type] as StructClass;
    t.throws(() => mod.loads(Type, bytesOf(v.lines), compact), {
      name: v.error,
      message: v.message,
    });
  });
}

const KeyValue = mod.KeyValue as ServiceObject;
for (const v of COMPACT_MESSAGE_VECTORS) {
  void t.test(`compact message vector: ${v.name}`, async (t) => {
    const want = bytesOf(v.lines);
    if (v.kind === 'exception') {
      const e = new TApplicationException(v.value.type as number, v.value.message as string);
      t.equal(hex(mod.dumps.message(e, v.seqid, { name: v.fn, ...compact })), hex(want));
      const msg = mod.loads.message(KeyValue, want, compact);
      t.equal(msg.messageType, MessageType.EXCEPTION);
      t.same([msg.name, msg.seqid], [v.fn, v.seqid]);
      const body = msg.body as TApplicationException;
      t.ok(body instanceof TApplicationException);
      t.same([body.type, body.message], [v.value.type, v.value.message]);
      return;
    }
    const fn = KeyValue[v.fn] as { request: StructClass; response: StructClass };
    const Type = v.kind === 'request' ? fn.request : fn.response;
    const value = valueOf(Type, v.value);
    t.equal(hex(mod.dumps.message(value, v.seqid, compact)), hex(want), 'encode');
    const msg = mod.loads.message(KeyValue, want, compact);
    t.same([msg.name, msg.seqid, msg.strict], [v.fn, v.seqid, true]);
    t.ok(msg.body instanceof Type, 'body class');
    t.ok(mod.equals(msg.body, value), 'body value');
  });
}

void t.test('compact envelopes: the header is checked', async (t) => {
  const call = bytesOf(COMPACT_MESSAGE_VECTORS[0]!.lines);
  const bad = (patch: (b: Uint8Array) => void) => {
    const b = Uint8Array.from(call);
    patch(b);
    return () => mod.loads.message(KeyValue, b, compact);
  };
  t.throws(
    bad((b) => (b[0] = 0x80)),
    { name: 'InvalidDataError', message: /bad protocol id 0x80 .*strict binary.* at byte 0/ },
  );
  t.throws(
    bad((b) => (b[1] = 0x22)),
    {
      name: 'InvalidDataError',
      message: /bad compact protocol version 2 \(expected 1\) at byte 1/,
    },
  );
  t.throws(
    bad((b) => (b[1] = 0xa1)),
    { name: 'InvalidDataError', message: /unknown message type 5 at byte 1/ },
  );
  t.throws(() => mod.loads.message(KeyValue, call), { name: 'InvalidDataError' }, 'not binary');
  const get = (KeyValue.get as { request: StructClass }).request;
  t.throws(() => mod.dumps.message(new get({ key: 'k' }), 1, { strict: false, ...compact }), {
    name: 'ValidationError',
    message: /one envelope form/,
  });
  t.throws(() => mod.dumps(new get({ key: 'k' }), { protocol: 'json' as never }), {
    name: 'RangeError',
    message: /unknown protocol "json"; use one of 'binary', 'compact'/,
  });
});
