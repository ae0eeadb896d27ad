// The Thrift arg scheme's arg2 (application headers, `nh:2 (k~2 v~2){nh}`) against golden bytes
// both ways, its refusals (sizes past what is left, with the offset in arg2), and arg1's
// `Service::method` split.
import t from 'tap';
import {
  decodeAppHeaders,
  encodeAppHeaders,
  splitEndpoint,
} from '../../src/tchannel/thrift-args.js';

const ascii = (s: string) => [...new TextEncoder().encode(s)];

// arg2 with two headers: trace=on, k=(empty)
const ARG2 = Uint8Array.from([
  0x00,
  0x02, //                       nh:2 = 2
  0x00,
  0x05,
  ...ascii('trace'), //    k~2
  0x00,
  0x02,
  ...ascii('on'), //       v~2
  0x00,
  0x01,
  ...ascii('k'), //        k~2
  0x00,
  0x00, //                       v~2 = "" (values may be empty)
]);

void t.test('application headers, both ways', async (t) => {
  t.same(encodeAppHeaders({ trace: 'on', k: '' }), ARG2, 'written');
  t.same(decodeAppHeaders(ARG2), { trace: 'on', k: '' }, 'read');
  t.same(encodeAppHeaders({}), Uint8Array.of(0, 0), 'no headers: nh = 0');
  t.same(decodeAppHeaders(new Uint8Array(0)), {}, 'an empty arg2 is no headers');
  const u = { clé: 'välue' };
  t.same(decodeAppHeaders(encodeAppHeaders(u)), u, 'UTF-8 round trip');
});

void t.test('sizes are checked against what is left in arg2', async (t) => {
  t.throws(() => decodeAppHeaders(Uint8Array.of(0xff, 0xff)), {
    name: 'TChannelProtocolError',
    message:
      /^arg2 \(application headers\): nh: 65535 headers need at least 262140 bytes but only 0 remain in arg2 at byte 2 of arg2$/,
  });
  t.throws(() => decodeAppHeaders(Uint8Array.of(0, 1, 0, 9, 0x61, 0, 0)), {
    message: /headers\[0\]\.key: length 9 but only 3 bytes remain at byte 4 of arg2/,
  });
  t.throws(() => decodeAppHeaders(Uint8Array.of(0, 1, 0, 1, 0xff, 0, 0)), {
    message: /headers\[0\]\.key: is not valid UTF-8 at byte 4 of arg2/,
  });
  t.throws(() => decodeAppHeaders(Uint8Array.of(0, 0, 7)), {
    message: /end: 1 bytes follow the last field at byte 2 of arg2/,
  });
  t.throws(() => encodeAppHeaders({ k: 'x'.repeat(70_000) }), {
    name: 'RangeError',
    message: /application header k is 70000 UTF-8 bytes; at most 65535 fit its length field/,
  });
});

void t.test('arg1: Service::method', async (t) => {
  t.same(splitEndpoint('KeyValue::get'), { service: 'KeyValue', method: 'get' });
  t.equal(splitEndpoint('get'), undefined, 'no service');
  t.equal(splitEndpoint('A::b::c'), undefined, 'one separator only');
});
