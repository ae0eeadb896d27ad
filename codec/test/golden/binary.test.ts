// Golden vectors (vectors.ts, annotated byte by byte from the spec), checked both ways:
// our encoder writes exactly these bytes, and our decoder reads them back to the same value.
import t from 'tap';
import { compile, MessageType, TApplicationException } from '../../src/index.js';
import type { ServiceObject, StructClass } from '../../src/index.js';
import { bytesOf, GOLDEN_IDL, MESSAGE_VECTORS, STRUCT_VECTORS } from './vectors.js';

const mod = compile(GOLDEN_IDL, { file: 'golden.thrift' });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

for (const v of STRUCT_VECTORS) {
  void t.test(`struct vector: ${v.name}`, async (t) => {
    const Type = mod[v.type] as StructClass;
    const value = mod.fromPrimitive(Type, v.value) as object;
    const want = bytesOf(v.lines);
    t.equal(hex(mod.dumps(value)), hex(want), 'encode gives the annotated bytes');
    const back = mod.loads(Type, want);
    t.ok(mod.equals(back, value), `decode gives the value back: ${String(back)}`);
    t.ok(back instanceof Type, 'decoded as an instance of the class');
  });
}

const KeyValue = mod.KeyValue as ServiceObject;
for (const v of MESSAGE_VECTORS) {
  void t.test(`message vector: ${v.name}`, async (t) => {
    const want = bytesOf(v.lines);
    let value: object;
    if (v.kind === 'exception') {
      value = new TApplicationException(v.value.type as number, v.value.message as string);
      t.equal(hex(mod.dumps.message(value, v.seqid, { strict: v.strict, name: v.fn })), hex(want));
      const msg = mod.loads.message(KeyValue, want);
      t.equal(msg.messageType, MessageType.EXCEPTION);
      t.equal(msg.name, v.fn);
      t.equal(msg.seqid, v.seqid);
      t.equal(msg.strict, v.strict);
      t.ok(msg.body instanceof TApplicationException, 'EXCEPTION body is a TApplicationException');
      const e = msg.body as TApplicationException;
      t.equal(e.type, 1);
      t.equal(e.typeName, 'UNKNOWN_METHOD');
      t.equal(e.message, 'no');
      return;
    }
    const fn = KeyValue[v.fn] as { request: StructClass; response: StructClass };
    const Type = v.kind === 'request' ? fn.request : fn.response;
    value = mod.fromPrimitive(Type, v.value) as object;
    t.equal(hex(mod.dumps.message(value, v.seqid, { strict: v.strict })), hex(want), 'encode');
    const msg = mod.loads.message(KeyValue, want);
    t.equal(msg.name, v.fn);
    t.equal(msg.seqid, v.seqid);
    t.equal(msg.strict, v.strict);
    t.ok(msg.body instanceof Type, 'body class');
    t.ok(mod.equals(msg.body, value), 'body value');
  });
}

// The strict envelope's third byte is unused: "unused is an ignored byte"
// (thrift-binary-protocol.md). A reader takes the message whatever that byte holds.
void t.test('message: the strict envelope ignores its unused byte', async (t) => {
  const first = MESSAGE_VECTORS.find((v) => v.strict && v.kind === 'request')!;
  const want = bytesOf(first.lines);
  const odd = Uint8Array.from(want);
  t.equal(odd[0], 0x80, 'byte 0: 0x80, the strict bit and the version high byte');
  t.equal(odd[1], 0x01, 'byte 1: version 1');
  t.equal(odd[2], 0x00, 'byte 2: unused');
  odd[2] = 0xa5; // byte 2 set to anything: still the same message
  const msg = mod.loads.message(KeyValue, odd);
  const base = mod.loads.message(KeyValue, want);
  t.equal(msg.name, base.name);
  t.equal(msg.seqid, base.seqid);
  t.equal(msg.messageType, base.messageType);
  t.ok(mod.equals(msg.body, base.body), 'same body');
});
