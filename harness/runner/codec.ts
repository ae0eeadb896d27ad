/**
 * The codec the runner checks: by default our own (`OUR_CODEC`). The seam exists so a test can
 * hand the runner a deliberately faulty codec (harness/test/planted/) and show the run catches it;
 * fault switches never live in shipped code.
 */
import type { Protocol, StructClass, ThriftModule } from '../../codec/src/index.js';

/** A codec for the struct classes of a compiled module, in the binary and compact protocols. */
export interface CodecUnderTest {
  /** A short name for reports (`ours`, `faulty:i32-byte-order`). */
  readonly name: string;
  /** Encodes `value` (an instance of `C` from `mod`) in `protocol` (default binary); throws on invalid values. */
  encode(mod: ThriftModule, C: StructClass, value: object, protocol?: Protocol): Uint8Array;
  /** Decodes `bytes` as a `C` in `protocol` (default binary); throws a ProtocolError on malformed input. */
  decode(mod: ThriftModule, C: StructClass, bytes: Uint8Array, protocol?: Protocol): object;
}

/** Our codec, as shipped: `mod.dumps` and `mod.loads`. */
export const OUR_CODEC: CodecUnderTest = Object.freeze({
  name: 'ours',
  encode: (mod: ThriftModule, _C: StructClass, value: object, protocol: Protocol = 'binary') =>
    mod.dumps(value, { protocol }),
  decode: (mod: ThriftModule, C: StructClass, bytes: Uint8Array, protocol: Protocol = 'binary') =>
    mod.loads(C, bytes, { protocol }) as object,
});
