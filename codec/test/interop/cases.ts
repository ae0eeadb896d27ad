/**
 * Values of idl/interop.thrift (in OUR representation) written and read by every codec in
 * baselines.test.ts, with the known places where a baseline writes other bytes, and why.
 */
import type { Envelope } from '../../../baselines/adapter.js';

/** One value to round-trip through every codec. */
export interface Case {
  readonly name: string;
  /** A struct, union or exception of interop.thrift. */
  readonly type: string;
  readonly value: Record<string, unknown>;
  /** What a reader gets back, when not `value` (e.g. defaults filled in). */
  readonly expect?: Record<string, unknown>;
  /**
   * Set when npm thriftrw and Apache's JS write map entries in another order than insertion order
   * (both hold maps as plain objects, whose integer-like keys iterate in ascending order): OUR
   * bytes are then compared with theirs by decoding, not byte for byte.
   */
  readonly mapOrder?: string;
  /** Set when Apache's JS writes the bytes of another value (a library bug), and which. */
  readonly apache?: { readonly writes: Record<string, unknown>; readonly reason: string };
}

/** One envelope to round-trip through every codec (service Interop). */
export interface MessageCase {
  readonly name: string;
  readonly message: Envelope;
  /** Write non-strict (version 0) headers. */
  readonly nonStrict?: boolean;
  /** Set when Apache's JS writes another envelope (a library bug), and which. */
  readonly apache?: { readonly writes: Envelope; readonly reason: string };
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

const primitives = {
  flag: true,
  tiny: 1,
  small: 2,
  medium: 3,
  big: 4n,
  real: 5.5,
  text: 'six',
  raw: new Uint8Array([7]),
};

const emptyContainers = {
  ints: [],
  strs: [],
  tags: new Set(),
  ids: new Set(),
  counts: new Map(),
  labels: new Map(),
  matrix: [],
  series: new Map(),
  records: [],
  groups: new Map(),
  points: [],
  pointsByName: new Map(),
  colors: [],
  blobs: [],
  reals: [],
  flags: new Map(),
  octets: new Set(),
};

const fullContainers = {
  ints: [0, -1, 2147483647, -2147483648],
  strs: ['', 'a', 'héllo', '日本語', '😀'],
  tags: new Set(['x', 'y', 'z']),
  ids: new Set([I64_MIN, -1n, 0n, I64_MAX]),
  counts: new Map([
    ['one', 1],
    ['two', 2],
    ['', 0],
    ['ünï', -7],
  ]),
  // Ascending non-negative keys then negatives: the plain-object order equals insertion order.
  labels: new Map([
    [0, 'zero'],
    [1, 'one'],
    [1000, 'thousand'],
    [-1, 'minus one'],
  ]),
  matrix: [[1, 2, 3], [], [4]],
  series: new Map([
    ['a', [1n, 2n]],
    ['b', []],
  ]),
  records: [new Map([['k', 'v']]), new Map()],
  groups: new Map([
    ['g1', new Set([1, 2])],
    ['g2', new Set<number>()],
  ]),
  points: [
    { x: 1, y: 2 },
    { x: -3, y: 4 },
  ],
  pointsByName: new Map([['origin', { x: 0, y: 0 }]]),
  colors: [0, 1, 7, 100],
  blobs: [new Uint8Array(), ALL_BYTES],
  reals: [0, 1.5, -2.25, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN],
  // 32767 before -32768: a plain object iterates integer-like keys first, then "-32768".
  flags: new Map([
    [32767, false],
    [-32768, true],
  ]),
  octets: new Set([-128, -1, 0, 127]),
};

/** The struct, union and exception values. */
export const CASES: readonly Case[] = [
  { name: 'Point', type: 'Point', value: { x: 1, y: -1 } },
  {
    name: 'Primitives: ordinary values',
    type: 'Primitives',
    value: primitives,
  },
  {
    name: 'Primitives: maxima',
    type: 'Primitives',
    value: {
      flag: true,
      tiny: 127,
      small: 32767,
      medium: 2147483647,
      big: I64_MAX,
      real: Number.MAX_VALUE,
      text: 'x'.repeat(1000),
      raw: ALL_BYTES,
    },
  },
  {
    name: 'Primitives: minima, empty string and binary',
    type: 'Primitives',
    value: {
      flag: false,
      tiny: -128,
      small: -32768,
      medium: -2147483648,
      big: I64_MIN,
      real: -Number.MAX_VALUE,
      text: '',
      raw: new Uint8Array(),
    },
  },
  {
    name: 'Primitives: NaN and non-ASCII text',
    type: 'Primitives',
    value: { ...primitives, real: NaN, text: 'héllo ☃ 日本語 𝄞 😀 \u0000 end' },
  },
  {
    name: 'Primitives: smallest denormal, i64 -1',
    type: 'Primitives',
    value: { ...primitives, real: 5e-324, big: -1n },
  },
  {
    name: 'Primitives: -0.0',
    type: 'Primitives',
    value: { ...primitives, real: -0 },
    apache: {
      writes: { ...primitives, real: 0 },
      reason:
        "npm thrift's TBinaryProtocol.writeDouble (a hand-written IEEE-754 encoder in binary.js) " +
        'tests `v < 0` for the sign, so -0.0 goes out as +0.0',
    },
  },
  {
    name: 'Primitives: 2^-29',
    type: 'Primitives',
    value: { ...primitives, real: 2 ** -29 },
    apache: {
      writes: { ...primitives, real: 2 ** -30 },
      reason:
        "npm thrift's writeDouble takes the exponent from Math.log(v) / Math.LN2, which rounds " +
        'below the integer for 219 of the powers of two (2^-29, 2^-31, ...); the mantissa then ' +
        'overflows and is dropped, so 2^-29 goes out as 2^-30',
    },
  },
  { name: 'Optionals: none set', type: 'Optionals', value: {} },
  {
    name: 'Optionals: all set',
    type: 'Optionals',
    value: {
      ...primitives,
      color: 7,
      point: { x: 5, y: 6 },
      name: 'typedef string',
      at: 1700000000000n,
    },
  },
  { name: 'Optionals: some set', type: 'Optionals', value: { small: 0, color: 0, at: 0n } },
  { name: 'Containers: all empty', type: 'Containers', value: emptyContainers },
  { name: 'Containers: nested and edge values', type: 'Containers', value: fullContainers },
  {
    name: 'Containers: integer keys out of ascending order',
    type: 'Containers',
    value: {
      ...emptyContainers,
      labels: new Map([
        [3, 'three'],
        [1, 'one'],
        [-5, 'minus five'],
        [2, 'two'],
      ]),
    },
    mapOrder:
      'npm thriftrw and Apache JS hold map<i32,string> as a plain object, whose integer-like keys ' +
      'iterate in ascending order (then "-5"), so they write 1, 2, 3, -5 where the Map says 3, 1, -5, 2',
  },
  { name: 'Shape: struct arm', type: 'Shape', value: { point: { x: 1, y: 2 } } },
  { name: 'Shape: string arm', type: 'Shape', value: { label: '' } },
  { name: 'Shape: i64 arm', type: 'Shape', value: { ident: I64_MIN } },
  { name: 'Shape: list arm', type: 'Shape', value: { path: [{ x: 0, y: 0 }] } },
  { name: 'NotFound: message only', type: 'NotFound', value: { message: 'gone' } },
  { name: 'NotFound: with code', type: 'NotFound', value: { message: 'gone', code: 404 } },
  {
    name: 'WithDefaults: defaults',
    type: 'WithDefaults',
    value: {},
    expect: {
      count: 10,
      name: 'unnamed',
      tags: ['a', 'b'],
      color: 1,
      ratio: 0.5,
      enabled: true,
      big: 1099511627776n,
    },
  },
  {
    name: 'WithDefaults: overridden',
    type: 'WithDefaults',
    value: {
      count: 0,
      name: '',
      tags: [],
      color: 100,
      ratio: -0.5,
      enabled: false,
      big: -1n,
    },
  },
  {
    name: 'Unordered: fields declared out of id order',
    type: 'Unordered',
    value: { third: 3, first: 'one', second: true },
  },
  {
    name: 'Everything',
    type: 'Everything',
    value: {
      primitives,
      opts: { text: 'opt' },
      containers: fullContainers,
      shape: { label: 'circle' },
      defaults: { count: 1 },
      shapes: [{ ident: 1n }, { point: { x: 1, y: 1 } }],
      failure: { message: 'nested exception', code: 1 },
    },
    expect: {
      primitives,
      opts: { text: 'opt' },
      containers: fullContainers,
      shape: { label: 'circle' },
      defaults: {
        count: 1,
        name: 'unnamed',
        tags: ['a', 'b'],
        color: 1,
        ratio: 0.5,
        enabled: true,
        big: 1099511627776n,
      },
      shapes: [{ ident: 1n }, { point: { x: 1, y: 1 } }],
      failure: { message: 'nested exception', code: 1 },
    },
  },
];

/** The envelopes. */
export const MESSAGE_CASES: readonly MessageCase[] = [
  {
    name: 'CALL echo',
    message: {
      name: 'echo',
      messageType: 1,
      seqid: 1,
      body: { point: { x: 1, y: 2 }, times: 3n },
    },
  },
  {
    name: 'CALL echo, seqid -1, one argument unset',
    message: { name: 'echo', messageType: 1, seqid: -1, body: { point: { x: 0, y: 0 } } },
  },
  {
    name: 'CALL echo, seqid 2^31-1, non-strict header',
    message: { name: 'echo', messageType: 1, seqid: 2147483647, body: { times: 0n } },
    nonStrict: true,
  },
  {
    name: 'REPLY echo success',
    message: { name: 'echo', messageType: 2, seqid: 7, body: { success: { x: 9, y: 8 } } },
  },
  {
    name: 'REPLY echo declared exception',
    message: {
      name: 'echo',
      messageType: 2,
      seqid: 7,
      body: { notFound: { message: 'no such point', code: 404 } },
    },
  },
  {
    name: 'CALL ping (no arguments)',
    message: { name: 'ping', messageType: 1, seqid: 2, body: {} },
  },
  { name: 'REPLY ping (void)', message: { name: 'ping', messageType: 2, seqid: 2, body: {} } },
  {
    name: 'ONEWAY fire',
    message: { name: 'fire', messageType: 4, seqid: 3, body: { note: 'fire and forget ☄' } },
  },
  {
    name: 'CALL everything',
    message: {
      name: 'everything',
      messageType: 1,
      seqid: 4,
      body: {
        whole: {
          primitives,
          opts: {},
          containers: emptyContainers,
          shape: { ident: 5n },
        },
      },
    },
  },
  {
    name: 'EXCEPTION (TApplicationException INTERNAL_ERROR)',
    message: { name: 'echo', messageType: 3, seqid: 5, body: { message: 'boom', type: 6 } },
    apache: {
      writes: { name: 'echo', messageType: 3, seqid: 5, body: { message: 'boom' } },
      reason:
        "npm thrift's TApplicationException.write writes `this.code`, which its constructor never " +
        'sets (it sets `this.type`), so the type field is dropped',
    },
  },
];
