// The transports' message reader: the buffered transport's resumable scan finds the same message
// ends as the codec's whole-buffer scan, however the bytes are split, refuses garbage and
// oversized messages as soon as they show, and reads a message in small pieces in linear time
// (printed as the ratio of two sizes' costs; the machine is shared, so nothing is timed).
import t from 'tap';
import fc from 'fast-check';
import {
  binaryMessageLength,
  DEFAULT_LIMITS,
  InvalidDataError,
  LimitExceededError,
  TType,
} from '../../codec/src/index.js';
import { MessageReader, frame } from '../src/transport.js';

/** A tiny PRNG, so one fast-check integer drives a whole message. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const VALUE_TYPES = [
  TType.BOOL,
  TType.BYTE,
  TType.DOUBLE,
  TType.I16,
  TType.I32,
  TType.I64,
  TType.STRING,
  TType.STRUCT,
  TType.MAP,
  TType.SET,
  TType.LIST,
  TType.UUID,
];
const FIXED: Record<number, number> = { 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 16: 16 };

/** Writes a random value of wire type `t` (depth-limited) into `out`. */
function writeValue(out: number[], t: number, rnd: (n: number) => number, depth: number): void {
  const i32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  const pick = () => VALUE_TYPES[rnd(depth > 3 ? 7 : VALUE_TYPES.length)]!;
  if (FIXED[t] !== undefined) {
    for (let i = 0; i < FIXED[t]; i++) out.push(rnd(256));
  } else if (t === TType.STRING) {
    const n = rnd(20);
    i32(n);
    for (let i = 0; i < n; i++) out.push(97 + rnd(26));
  } else if (t === TType.STRUCT) {
    const fields = rnd(5);
    for (let f = 0; f < fields; f++) {
      const ft = pick();
      out.push(ft, 0, f + 1);
      writeValue(out, ft, rnd, depth + 1);
    }
    out.push(TType.STOP);
  } else if (t === TType.MAP) {
    const kt = pick();
    const vt = pick();
    const n = rnd(4);
    out.push(kt, vt);
    i32(n);
    for (let i = 0; i < n; i++) {
      writeValue(out, kt, rnd, depth + 1);
      writeValue(out, vt, rnd, depth + 1);
    }
  } else {
    const et = pick();
    const n = rnd(6);
    out.push(et);
    i32(n);
    for (let i = 0; i < n; i++) writeValue(out, et, rnd, depth + 1);
  }
}

/** A random message: strict or non-strict envelope, a random body struct. */
function message(seed: number): Uint8Array {
  const rnd = prng(seed);
  const out: number[] = [];
  const name = 'method'.slice(0, 1 + rnd(6));
  const type = 1 + rnd(4);
  if (rnd(2) === 0) {
    out.push(0x80, 0x01, 0, type, 0, 0, 0, name.length, ...Buffer.from(name));
  } else {
    out.push(0, 0, 0, name.length, ...Buffer.from(name), type);
  }
  out.push(0, 0, 0, rnd(100));
  writeValue(out, TType.STRUCT, rnd, 1);
  return Uint8Array.from(out);
}

/** The messages a reader cuts out of `bytes` pushed in pieces at `cuts`. */
function readInPieces(kind: 'framed' | 'buffered', bytes: Uint8Array, cuts: number[]) {
  const reader = new MessageReader(kind);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const cut of [
    ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b),
    bytes.length,
  ]) {
    out.push(...reader.push(bytes.subarray(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  return { out, pending: reader.pending };
}

void t.test(
  'buffered: the same message ends as the codec, however the bytes are split',
  async (t) => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (seeds, cuts) => {
          const messages = seeds.map(message);
          for (const m of messages) {
            if (binaryMessageLength(m) !== m.length) return false;
          }
          const all = Buffer.concat(messages);
          const { out, pending } = readInPieces('buffered', all, cuts);
          const framed = readInPieces(
            'framed',
            Buffer.concat(messages.map((m) => frame('framed', m))),
            cuts,
          );
          return (
            pending === 0 &&
            out.length === messages.length &&
            out.every((m, i) => Buffer.from(m).equals(messages[i]!)) &&
            framed.out.every((m, i) => Buffer.from(m).equals(messages[i]!))
          );
        },
      ),
    );
    t.pass('agrees with binaryMessageLength on random messages in random pieces');
  },
);

void t.test("buffered: mutated bytes give the codec's answer or an earlier refusal", async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (seed, flips, cuts) => {
        const m = Buffer.from(message(seed));
        for (const [at, v] of flips) m[at % m.length] = v;
        let codec: number | Error;
        try {
          codec = binaryMessageLength(m);
        } catch (e) {
          codec = e as Error;
        }
        // The first message the reader hands out, or its refusal when none came before it.
        const reader = new MessageReader('buffered');
        const out: Uint8Array[] = [];
        let ours: number | Error = -1;
        let at = 0;
        for (const cut of [
          ...cuts.map((c) => c % (m.length + 1)).sort((a, b) => a - b),
          m.length,
        ]) {
          try {
            out.push(...reader.push(m.subarray(at, Math.max(at, cut))));
          } catch (e) {
            ours = e as Error;
            break;
          }
          at = Math.max(at, cut);
        }
        if (out.length > 0) ours = out[0]!.length;
        if (typeof codec === 'number' && codec >= 0) return ours === codec;
        if (typeof ours === 'number' && ours >= 0)
          return codec instanceof InvalidDataError && /UTF-8/.test(codec.message); // we leave the name to the decoder
        if (ours instanceof Error)
          return ours instanceof InvalidDataError || ours instanceof LimitExceededError;
        return true;
      },
    ),
  );
  t.pass('never a different message end, only ProtocolErrors');
});

void t.test('garbage and oversized messages are refused at once, not waited for', async (t) => {
  const reader = () => new MessageReader('buffered', 1000);
  t.throws(() => reader().push(Uint8Array.from([0x80, 0x02, 0, 1])), InvalidDataError);
  t.throws(
    () => reader().push(Uint8Array.from([0, 0, 0x10, 0])), // a 4096-byte method name
    LimitExceededError,
  );
  t.throws(
    // a string of 4000 bytes announced in the body of a 1000-byte limit
    () =>
      reader().push(
        Uint8Array.from([0x80, 1, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1, 11, 0, 1, 0, 0, 0x0f, 0xa0]),
      ),
    LimitExceededError,
  );
  t.throws(
    () =>
      reader().push(
        Uint8Array.from([0x80, 1, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1, 15, 0, 1, 8, 0, 0, 1, 0]),
      ),
    /container of 256 elements needs at least 1024 bytes/,
  );
  const deep = [0x80, 1, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1];
  for (let i = 0; i < 100; i++) deep.push(12, 0, 1);
  t.throws(
    () => new MessageReader('buffered').push(Uint8Array.from(deep)),
    /nesting deeper than the limit of 64/,
  );
  t.equal(DEFAULT_LIMITS.maxDepth, 64);
  t.throws(
    () => new MessageReader('framed', 1000).push(Uint8Array.from([0, 0, 4, 0])),
    /frame of 1024 bytes exceeds the limit of 1000 \(maxFrameSize\)/,
  );
});

/** A message of about `size` bytes whose body is one list of small structs (one i32 each). */
function listMessage(size: number): Buffer {
  const n = Math.floor((size - 22) / 8);
  const body = Buffer.alloc(13 + 3 + 5 + 8 * n + 1);
  Buffer.from([0x80, 1, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1]).copy(body);
  Buffer.from([15, 0, 1, 12]).copy(body, 13);
  body.writeInt32BE(n, 17);
  for (let i = 0; i < n; i++) Buffer.from([8, 0, 1, 0, 0, 0, i & 127, 0]).copy(body, 21 + 8 * i);
  return body;
}

/** CPU ms to read `bytes` pushed in 4 KiB pieces, with our reader or by rescanning from the start (the old reader). */
function costOf(bytes: Buffer, rescan: boolean): number {
  const reader = new MessageReader('buffered');
  const t0 = process.cpuUsage();
  let got = 0;
  for (let at = 4096; at < bytes.length + 4096; at += 4096) {
    if (rescan) got = binaryMessageLength(bytes.subarray(0, at)) > 0 ? 1 : 0;
    else got += reader.push(bytes.subarray(at - 4096, at)).length;
  }
  const used = process.cpuUsage(t0);
  if (got !== 1) throw new Error('the message was not read');
  return (used.user + used.system) / 1000;
}

void t.test('a message in 4 KiB pieces costs time linear in its size (printed)', async (t) => {
  const ratio = (sizes: [number, number], rescan: boolean) => {
    costOf(listMessage(sizes[0] / 4), rescan); // warm up
    const [a, b] = sizes.map((s) => costOf(listMessage(s), rescan)) as [number, number];
    return `${sizes[0] / 1e6} MB: ${a.toFixed(1)} ms CPU, ${sizes[1] / 1e6} MB: ${b.toFixed(1)} ms CPU, ratio ${(b / Math.max(a, 0.1)).toFixed(1)} for 4x the bytes`;
  };
  t.comment(`resumable scan: ${ratio([4_000_000, 16_000_000], false)} (linear: about 4)`);
  t.comment(
    `rescanning from the start (the old reader): ${ratio([500_000, 2_000_000], true)} (quadratic: about 16)`,
  );
  t.pass('measured');
});
