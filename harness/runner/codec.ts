/**
 * The codec the runner checks: by default our own (`OUR_CODEC`). The seam exists so a test can
 * hand the runner a deliberately faulty codec (harness/test/planted/) and show the run catches it;
 * fault switches never live in shipped code.
 */
import type { StructClass, ThriftModule } from '../../codec/src/index.js';

/** A binary-protocol codec for the struct classes of a compiled module. */
export interface CodecUnderTest {
  /** A short name for reports (`ours`, `faulty:i32-byte-order`). */
  readonly name: string;
  /** Encodes `value` (an instance of `C` from `mod`) to binary-protocol bytes; throws on invalid values. */
  encode(mod: ThriftModule, C: StructClass, value: object): Uint8Array;
  /** Decodes `bytes` as a `C`; throws a ProtocolError on malformed input. */
  decode(mod: ThriftModule, C: StructClass, bytes: Uint8Array): object;
}

/** Our codec, as shipped: `mod.dumps` and `mod.loads`. */
export const OUR_CODEC: CodecUnderTest = Object.freeze({
  name: 'ours',
  encode: (mod: ThriftModule, _C: StructClass, value: object) => mod.dumps(value),
  decode: (mod: ThriftModule, C: StructClass, bytes: Uint8Array) => mod.loads(C, bytes) as object,
});
