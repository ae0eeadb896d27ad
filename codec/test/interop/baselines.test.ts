// Interop with the two baseline codecs nobody here wrote: npm thriftrw (3.12) and the JS that
// Apache Thrift 0.17's compiler generates, run on npm thrift (0.17). For every value of
// codec/test/interop/cases.ts, OUR codec's bytes must equal npm thriftrw's and Apache's, and every
// codec must read every other codec's bytes back to an equal value; the same for envelopes.
//
// Where a baseline writes other bytes, the case says why and the test pins exactly what it writes
// instead (so a fixed or changed baseline shows up here):
// - map order: both baselines hold a map as a plain object, whose integer-like keys iterate in
//   ascending order; for a Map whose insertion order differs, OUR bytes are compared by decoding.
// - Apache's writeDouble writes -0.0 as +0.0 and halves 219 of the powers of two (2^-29, ...).
// - Apache's TApplicationException.write drops the type field.
// Field order needs no exception: all three write fields in IDL declaration order.
//
// Needs the `thrift` compiler: without it this FAILS (never skips), saying how to install it.
import t from 'tap';
import { join } from 'node:path';
import type { CodecAdapter, Envelope } from '../../../baselines/adapter.js';
import { createApacheAdapter } from '../../../baselines/apache-js.js';
import { loadApacheJs, REPO_ROOT, thriftCompilerVersion } from '../../../baselines/generate.js';
import { createOursAdapter } from '../../../baselines/ours.js';
import { loadSchema, sameValue, show } from '../../../baselines/schema.js';
import { createThriftrwAdapter } from '../../../baselines/thriftrw-npm.js';
import type { Case, MessageCase } from './cases.js';
import { CASES, MESSAGE_CASES } from './cases.js';

const IDL = join(REPO_ROOT, 'idl', 'interop.thrift');

/** A (sub)test object, as tap hands it to a `t.test` callback. */
type TT = Parameters<Parameters<typeof t.test>[0]>[0];

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.length),
      Buffer.from(b.buffer, b.byteOffset, b.length),
    ) === 0
  );
}

/** Runs `f`, turning a throw into a failed assertion; returns undefined then. */
function attempt<T>(t: TT, what: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    t.fail(`${what}: ${(e as Error).message}`);
    return undefined;
  }
}

/** A TApplicationException body with absent fields read as their defaults ('' and UNKNOWN = 0). */
function normalizeEnvelope(m: Envelope): Envelope {
  if (m.messageType !== 3) return m;
  return { ...m, body: { message: m.body['message'] ?? '', type: m.body['type'] ?? 0 } };
}

interface Roles {
  /** The codec whose bytes the others are held to (OUR codec, or npm thriftrw without it). */
  readonly reference: CodecAdapter;
  readonly apache: CodecAdapter;
  readonly ours: CodecAdapter | undefined;
  /**
   * Writes the value a case says Apache writes instead, to get the bytes Apache is held to:
   * npm thriftrw, which leaves an absent TApplicationException type absent (OUR codec writes 0).
   */
  readonly variantWriter: CodecAdapter;
}

function checkCase(t: TT, c: Case, codecs: readonly CodecAdapter[], roles: Roles): void {
  const written = new Map<CodecAdapter, Uint8Array>();
  for (const a of codecs) {
    const b = attempt(t, `${a.name} encodes ${c.name}`, () => a.encode(c.type, c.value));
    if (b) written.set(a, b);
  }
  const ref = written.get(roles.reference);
  for (const [a, b] of written) {
    if (a === roles.reference || !ref) continue;
    if (a === roles.apache && c.apache) {
      const expected = attempt(t, `${roles.variantWriter.name} encodes the Apache variant`, () =>
        roles.variantWriter.encode(c.type, c.apache?.writes),
      );
      if (expected) {
        t.ok(sameBytes(b, expected), `${a.name} writes other bytes, as known: ${c.apache.reason}`, {
          found: hex(b),
          wanted: hex(expected),
        });
      }
    } else if (c.mapOrder && (a === roles.ours || roles.reference === roles.ours)) {
      t.comment(
        `${c.name}: ${a.name} vs ${roles.reference.name} compared by decoding: ${c.mapOrder}`,
      );
    } else {
      t.ok(sameBytes(b, ref), `${a.name} writes the bytes ${roles.reference.name} writes`, {
        found: hex(b),
        wanted: hex(ref),
      });
    }
  }
  for (const [writer, bytes] of written) {
    const wanted = writer === roles.apache && c.apache ? c.apache.writes : (c.expect ?? c.value);
    for (const reader of codecs) {
      const got = attempt(t, `${reader.name} decodes ${writer.name}'s ${c.name}`, () =>
        reader.decode(c.type, bytes),
      );
      if (got === undefined) continue;
      t.ok(sameValue(got, wanted), `${reader.name} reads back what ${writer.name} wrote`, {
        found: show(got),
        wanted: show(wanted),
      });
    }
  }
}

function checkMessage(t: TT, c: MessageCase, codecs: readonly CodecAdapter[], roles: Roles): void {
  const written = new Map<CodecAdapter, Uint8Array>();
  for (const a of codecs) {
    const b = attempt(t, `${a.name} encodes ${c.name}`, () =>
      a.encodeMessage('Interop', c.message),
    );
    if (b) written.set(a, b);
  }
  const ref = written.get(roles.reference);
  for (const [a, b] of written) {
    t.equal(
      (b[0] ?? 0) >= 0x80,
      !c.nonStrict,
      `${a.name} writes a ${c.nonStrict ? 'non-' : ''}strict header`,
    );
    if (a === roles.reference || !ref) continue;
    if (a === roles.apache && c.apache) {
      const expected = attempt(t, `${roles.variantWriter.name} encodes the Apache variant`, () =>
        roles.variantWriter.encodeMessage('Interop', c.apache?.writes as Envelope),
      );
      if (expected) {
        t.ok(
          sameBytes(b, expected),
          `${a.name} writes another envelope, as known: ${c.apache.reason}`,
          {
            found: hex(b),
            wanted: hex(expected),
          },
        );
      }
    } else {
      t.ok(sameBytes(b, ref), `${a.name} writes the envelope ${roles.reference.name} writes`, {
        found: hex(b),
        wanted: hex(ref),
      });
    }
  }
  for (const [writer, bytes] of written) {
    const wanted = normalizeEnvelope(
      writer === roles.apache && c.apache ? c.apache.writes : c.message,
    );
    for (const reader of codecs) {
      const got = attempt(t, `${reader.name} decodes ${writer.name}'s ${c.name}`, () =>
        reader.decodeMessage('Interop', bytes),
      );
      if (got === undefined) continue;
      t.ok(
        sameValue(normalizeEnvelope(got), wanted),
        `${reader.name} reads back ${writer.name}'s envelope`,
        {
          found: show(got),
          wanted: show(wanted),
        },
      );
    }
  }
}

function runAll(
  t: TT,
  strict: readonly CodecAdapter[],
  nonStrict: readonly CodecAdapter[],
  roles: Roles,
  nsRoles: Roles,
): void {
  for (const c of CASES) {
    void t.test(c.name, async (t) => checkCase(t, c, strict, roles));
  }
  for (const c of MESSAGE_CASES) {
    void t.test(`envelope: ${c.name}`, async (t) =>
      checkMessage(t, c, c.nonStrict ? nonStrict : strict, c.nonStrict ? nsRoles : roles),
    );
  }
}

let compilerVersion: string | undefined;
try {
  compilerVersion = thriftCompilerVersion();
} catch (e) {
  t.fail((e as Error).message);
}

if (compilerVersion !== undefined) {
  t.comment(`${compilerVersion}; generated JS cached in .cache/gen-js/`);
  const schema = loadSchema(IDL);
  const generated = loadApacheJs(IDL);
  const thriftrw = createThriftrwAdapter(IDL);
  const apache = createApacheAdapter(IDL, { schema, generated });
  const thriftrwNs = createThriftrwAdapter(IDL, { strictEnvelopes: false });
  const apacheNs = createApacheAdapter(IDL, { schema, generated, strictEnvelopes: false });

  await t.test('npm thriftrw and Apache JS agree', async (t) => {
    runAll(
      t,
      [thriftrw, apache],
      [thriftrwNs, apacheNs],
      { reference: thriftrw, apache, ours: undefined, variantWriter: thriftrw },
      { reference: thriftrwNs, apache: apacheNs, ours: undefined, variantWriter: thriftrwNs },
    );
  });

  await t.test('OUR codec agrees with npm thriftrw and Apache JS', async (t) => {
    let ours: CodecAdapter;
    let oursNs: CodecAdapter;
    try {
      ours = await createOursAdapter(IDL, { schema });
      oursNs = await createOursAdapter(IDL, { schema, strictEnvelopes: false });
    } catch (e) {
      t.fail((e as Error).message);
      return;
    }
    runAll(
      t,
      [ours, thriftrw, apache],
      [oursNs, thriftrwNs, apacheNs],
      { reference: ours, apache, ours, variantWriter: thriftrw },
      { reference: oursNs, apache: apacheNs, ours: oursNs, variantWriter: thriftrwNs },
    );
  });

  await t.test('the baseline quirks the adapters work around are still there', async (t) => {
    // thriftrw reads i8 unsigned (the adapter signs it back).
    const tiny = thriftrw.decodeNative(
      'Primitives',
      thriftrw.encode('Primitives', {
        flag: true,
        tiny: -1,
        small: 0,
        medium: 0,
        big: 0n,
        real: 0,
        text: '',
        raw: new Uint8Array(),
      }),
    ) as { tiny: number };
    t.equal(tiny.tiny, 255, 'npm thriftrw reads i8 -1 as 255');

    // thriftrw hands an EXCEPTION envelope's body back as the read's error (the adapter accepts it).
    const exc = thriftrw.encodeMessage('Interop', {
      name: 'echo',
      messageType: 3,
      seqid: 1,
      body: { message: 'x', type: 1 },
    });
    const fn = (
      thriftrw.thrift.models['Interop'] as unknown as {
        functionsByName: Record<
          string,
          { resultMessageRW: { fromBuffer(b: Buffer): { err: unknown; value: { body: unknown } } } }
        >;
      }
    ).functionsByName['echo'];
    const res = fn?.resultMessageRW.fromBuffer(Buffer.from(exc));
    t.ok(
      res && res.err !== null && res.err === res.value.body,
      'npm thriftrw returns the EXCEPTION body as an error',
    );

    // thriftrw writes the seqid unsigned (the adapter passes seqid >>> 0).
    const call = thriftrw.encodeMessage('Interop', {
      name: 'ping',
      messageType: 1,
      seqid: -2,
      body: {},
    });
    t.equal(Buffer.from(call).readInt32BE(12), -2, 'seqid -2 goes out as 0xfffffffe');
  });
}
