/**
 * Codec benchmark: OUR codec vs npm thriftrw vs npm thrift (Apache's generated JS), side by side
 * in one process, on three workloads of idl/bench.thrift (small, medium, large) encoded and
 * decoded with the binary protocol; then the compact protocol, OUR codec vs npm thrift's
 * TCompactProtocol with the generated JS, with OUR binary protocol timed beside them (filter
 * names `small/compact-encode`, …); plus "allocate and copy 1 MiB" (`new Uint8Array(n)` +
 * `.set(src)`) as the floor for the large encode (and, for reading it, the same with
 * `Buffer.allocUnsafe`). The codecs of one workload/op are timed interleaved, batch by batch. Prints a table with each codec's median ops/s, the ratios and the targets.
 *
 *   npm run bench -- [--time <ms per case>] [--filter <regex on "workload/op">] [--json out.json]
 *                    [--batches <n>] [--check]
 *
 * Each library is timed on its OWN representation (values converted once, before timing): the
 * conversion between representations is adapter work, not codec work. `--check` exits 1 when a
 * target is missed (or cannot be measured).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { CodecAdapter } from '../baselines/adapter.js';
import type { LoadedApacheJs } from '../baselines/generate.js';
import { createApacheAdapter, thriftLibVersion } from '../baselines/apache-js.js';
import { thriftCompilerVersion } from '../baselines/generate.js';
import { createOursAdapter } from '../baselines/ours.js';
import { loadSchema } from '../baselines/schema.js';
import { createThriftrwAdapter, thriftrwVersion } from '../baselines/thriftrw-npm.js';
import { load } from '../codec/src/index.js';
import type { Measurement } from './harness.js';
import { formatRate, measureInterleaved, sinkState, table } from './harness.js';
import type { Workload } from './workloads.js';
import { BENCH_IDL, workloads } from './workloads.js';

type CodecKey = 'ours' | 'thriftrw' | 'thrift';
const CODECS: readonly CodecKey[] = ['ours', 'thriftrw', 'thrift'];
const LABELS: Record<CodecKey, string> = {
  ours: 'ours',
  thriftrw: 'npm thriftrw',
  thrift: 'npm thrift (gen)',
};
type Op = 'encode' | 'decode';

/** A target: OUR rate divided by the reference rate must reach `min`. */
interface Target {
  readonly workload: Workload['name'];
  readonly op: Op;
  readonly vs: 'thriftrw' | 'alloc+copy';
  readonly min: number;
  readonly text: string;
}

// "medium ≥2x both ways" is read as: encode and decode each at least 2x npm thriftrw (the model).
const TARGETS: readonly Target[] = [
  { workload: 'small', op: 'encode', vs: 'thriftrw', min: 3, text: '>=3x thriftrw' },
  { workload: 'small', op: 'decode', vs: 'thriftrw', min: 4, text: '>=4x thriftrw' },
  { workload: 'medium', op: 'encode', vs: 'thriftrw', min: 2, text: '>=2x thriftrw' },
  { workload: 'medium', op: 'decode', vs: 'thriftrw', min: 2, text: '>=2x thriftrw' },
  {
    workload: 'large',
    op: 'encode',
    vs: 'alloc+copy',
    min: 1 / 1.2,
    text: 'within 1.2x of alloc+copy',
  },
];

/** Compact targets: OUR compact vs npm thrift's TCompactProtocol, and vs OUR binary. */
const COMPACT_TARGETS: readonly {
  readonly workloads: readonly Workload['name'][];
  readonly vs: 'thrift' | 'binary';
  readonly min: number;
  readonly text: string;
}[] = [
  { workloads: ['small', 'medium'], vs: 'thrift', min: 3, text: '>=3x thrift compact' },
  {
    workloads: ['small', 'medium', 'large'],
    vs: 'binary',
    min: 1 / 1.3,
    text: 'within 1.3x of our binary',
  },
];

/** The slice of npm thrift's TCompactProtocol and its transport the compact rows drive. */
interface CompactLib {
  TBufferedTransport: new (
    b?: Buffer,
    onFlush?: (m: Buffer) => void,
  ) => { inBuf: Buffer; readCursor: number; writeCursor: number };
  TCompactProtocol: new (t: unknown) => { flush(): void };
}
interface GeneratedStruct {
  read(p: unknown): void;
  write(p: unknown): void;
}

/** One compact row: OUR compact, npm thrift compact and OUR binary, timed side by side. */
interface CompactRow {
  workload: Workload['name'];
  op: Op;
  ours?: Measurement;
  thrift?: Measurement;
  binary?: Measurement;
  bytes: number;
}

interface Row {
  workload: Workload['name'];
  op: Op;
  rates: Partial<Record<CodecKey, Measurement>>;
  /** `new Uint8Array(n)` + `.set(src)`: the floor the large-encode target is measured against. */
  reference?: Measurement;
  /** `Buffer.allocUnsafe(n)` + `.set(src)`: the same without zeroing, for reading the above. */
  referenceUnsafe?: Measurement;
  referenceBytes?: number;
}

const USAGE = `usage: npm run bench -- [--time <ms per case, default 1500>] [--filter <regex on "workload/op">]
                     [--json <out.json>] [--batches <n, default 7>] [--check]`;

function args(): {
  timeMs: number;
  filter: RegExp;
  json?: string;
  batches: number;
  check: boolean;
} {
  const { values } = parseArgs({
    options: {
      time: { type: 'string' },
      filter: { type: 'string' },
      json: { type: 'string' },
      batches: { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const timeMs = Number(values.time ?? 1500);
  const batches = Number(values.batches ?? 7);
  if (!(timeMs > 0) || !(batches >= 1)) throw new Error(`bad --time or --batches\n${USAGE}`);
  return {
    timeMs,
    batches,
    filter: new RegExp(values.filter ?? '.'),
    check: values.check ?? false,
    ...(values.json !== undefined ? { json: values.json } : {}),
  };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 32)).toString('hex') + (b.length > 32 ? '…' : '');
}

async function main(): Promise<void> {
  const opts = args();
  const schema = loadSchema(BENCH_IDL);
  const adapters: Partial<Record<CodecKey, CodecAdapter>> = {};
  const unavailable: Partial<Record<CodecKey, string>> = {};

  try {
    adapters.ours = await createOursAdapter(BENCH_IDL, { schema });
  } catch (e) {
    unavailable.ours = (e as Error).message;
  }
  adapters.thriftrw = createThriftrwAdapter(BENCH_IDL);
  let compiler = 'missing';
  try {
    compiler = thriftCompilerVersion();
    adapters.thrift = createApacheAdapter(BENCH_IDL, { schema });
  } catch (e) {
    unavailable.thrift = (e as Error).message;
  }

  const env = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    thriftrw: thriftrwVersion(),
    thrift: thriftLibVersion(),
    compiler,
    loadAverage1m: loadavg()[0] ?? 0,
    timeMsPerCase: opts.timeMs,
    batches: opts.batches,
  };
  console.log(
    `codec benchmark — node ${env.node}, ${env.cpu} x${env.cores}; npm thriftrw ${env.thriftrw}, ` +
      `npm thrift ${env.thrift} (${env.compiler}); ${opts.timeMs} ms x ${opts.batches} batches per case`,
  );
  for (const k of CODECS) {
    if (unavailable[k]) console.log(`  ${LABELS[k]}: unavailable — ${unavailable[k]}`);
  }

  const rows: Row[] = [];
  const notes: string[] = [];
  const measureOpts = { timeMs: opts.timeMs, batches: opts.batches };
  for (const w of workloads()) {
    const ops = (['encode', 'decode'] as const).filter((op) => opts.filter.test(`${w.name}/${op}`));
    if (ops.length === 0) continue;

    // Convert once, encode once, and check that the codecs agree on the bytes.
    const natives: Partial<Record<CodecKey, unknown>> = {};
    const bytes: Partial<Record<CodecKey, Uint8Array>> = {};
    for (const k of CODECS) {
      const a = adapters[k];
      if (!a) continue;
      natives[k] = a.toNative(w.typeName, w.value);
      bytes[k] = a.encodeNative(w.typeName, natives[k]);
    }
    const encoded = Object.entries(bytes) as [CodecKey, Uint8Array][];
    const [first] = encoded;
    for (const [k, b] of encoded) {
      if (first && Buffer.compare(Buffer.from(b), Buffer.from(first[1])) !== 0) {
        notes.push(
          `${w.name}: ${LABELS[k]} writes other bytes than ${LABELS[first[0]]} ` +
            `(${b.length} vs ${first[1].length}: ${hex(b)} vs ${hex(first[1])})`,
        );
      }
    }
    if (first) notes.push(`${w.name}: ${first[1].length} bytes encoded`);

    for (const op of ops) {
      const row: Row = { workload: w.name, op, rates: {} };
      const timed = new Map<string, () => unknown>();
      for (const k of CODECS) {
        const a = adapters[k];
        const b = bytes[k];
        if (!a || !b) continue;
        const native = natives[k];
        timed.set(
          k,
          op === 'encode'
            ? (): unknown => a.encodeNative(w.typeName, native)
            : (): unknown => a.decodeNative(w.typeName, b),
        );
      }
      if (w.name === 'large' && op === 'encode' && first) {
        // The floor for the large encode, as specified: allocate (zeroed) and copy the output size.
        const src = first[1];
        const n = src.length;
        row.referenceBytes = n;
        timed.set('alloc+copy', () => {
          const dst = new Uint8Array(n);
          dst.set(src);
          return dst;
        });
        // For reading the above: the same without zeroing (what a codec's output buffer costs).
        timed.set('allocUnsafe+copy', () => {
          const dst = Buffer.allocUnsafe(n);
          dst.set(src);
          return dst;
        });
      }
      const got = measureInterleaved(timed, measureOpts);
      for (const k of CODECS) {
        const m = got.get(k);
        if (m) row.rates[k] = m;
      }
      const ref = got.get('alloc+copy');
      if (ref) row.reference = ref;
      const unsafe = got.get('allocUnsafe+copy');
      if (unsafe) row.referenceUnsafe = unsafe;
      for (const [k, m] of got) {
        const label =
          k in LABELS ? LABELS[k as CodecKey] : `${k} ${row.referenceBytes ?? ''} bytes`;
        process.stdout.write(
          `  ${w.name}/${op} ${label}: ${formatRate(m.opsPerSec)} ops/s (spread ${(m.spread * 100).toFixed(0)}%)\n`,
        );
      }
      rows.push(row);
    }
  }

  // ---- the compact protocol ----
  const compactRows: CompactRow[] = [];
  const compactOps = workloads().flatMap((w) =>
    (['encode', 'decode'] as const)
      .filter((op) => opts.filter.test(`${w.name}/compact-${op}`))
      .map((op) => ({ w, op })),
  );
  if (compactOps.length > 0 && adapters.ours && adapters.thrift) {
    const mod = load(BENCH_IDL);
    const generated = (adapters.thrift as unknown as { generated: LoadedApacheJs }).generated;
    const lib = createRequire(import.meta.url)('thrift') as CompactLib;
    let flushed: Buffer | undefined;
    const out = new lib.TBufferedTransport(undefined, (m) => (flushed = m));
    const writer = new lib.TCompactProtocol(out);
    const input = new lib.TBufferedTransport();
    const reader = new lib.TCompactProtocol(input);
    const compact = { protocol: 'compact' } as const;
    for (const { w, op } of compactOps) {
      const ours = adapters.ours.toNative(w.typeName, w.value) as object;
      const theirs = adapters.thrift.toNative(w.typeName, w.value) as GeneratedStruct;
      const Type = mod[w.typeName] as Parameters<typeof mod.loads>[0];
      const Generated = generated.types[w.typeName] as new () => GeneratedStruct;
      const thriftEncode = (): Buffer => {
        theirs.write(writer);
        writer.flush();
        const b = flushed as Buffer;
        flushed = undefined;
        return b;
      };
      const mine = mod.dumps(ours, compact);
      const theirBytes = thriftEncode();
      if (Buffer.compare(Buffer.from(mine), theirBytes) !== 0) {
        notes.push(
          `${w.name}: npm thrift compact writes other bytes than ours (${hex(theirBytes)} vs ${hex(mine)})`,
        );
      }
      if (op === 'encode') notes.push(`${w.name}: ${mine.length} bytes in compact`);
      const binaryBytes = mod.dumps(ours);
      const timed = new Map<string, () => unknown>(
        op === 'encode'
          ? [
              ['ours', () => mod.dumps(ours, compact)],
              ['thrift', thriftEncode],
              ['binary', () => mod.dumps(ours)],
            ]
          : [
              ['ours', () => mod.loads(Type, mine, compact)],
              [
                'thrift',
                () => {
                  const o = new Generated();
                  input.inBuf = theirBytes;
                  input.readCursor = 0;
                  input.writeCursor = theirBytes.length;
                  o.read(reader);
                  return o;
                },
              ],
              ['binary', () => mod.loads(Type, binaryBytes)],
            ],
      );
      const got = measureInterleaved(timed, measureOpts);
      const row: CompactRow = { workload: w.name, op, bytes: mine.length };
      for (const k of ['ours', 'thrift', 'binary'] as const) {
        const m = got.get(k);
        if (m) row[k] = m;
        process.stdout.write(
          `  ${w.name}/compact-${op} ${k === 'ours' ? 'ours compact' : k === 'thrift' ? 'npm thrift compact (gen)' : 'ours binary'}: ${formatRate(m?.opsPerSec)} ops/s (spread ${((m?.spread ?? 0) * 100).toFixed(0)}%)\n`,
        );
      }
      compactRows.push(row);
    }
  } else if (compactOps.length > 0) {
    notes.push('compact rows not run: OUR codec or npm thrift (generated) is unavailable');
  }

  // ---- the table ----
  const ratio = (a?: Measurement, b?: Measurement): number | undefined =>
    a && b ? a.opsPerSec / b.opsPerSec : undefined;
  const fmtRatio = (r?: number): string => (r === undefined ? '—' : `${r.toFixed(2)}x`);
  const verdicts: {
    target: string;
    workload: string;
    op: string;
    ratio?: number;
    pass: boolean | null;
  }[] = [];
  const head = [
    'workload',
    'op',
    ...CODECS.map((k) => `${LABELS[k]} ops/s`),
    'alloc+copy ops/s',
    'ours/thriftrw',
    'ours/thrift',
    'target',
  ];
  const lines: string[][] = [head];
  for (const r of rows) {
    const target = TARGETS.find((t) => t.workload === r.workload && t.op === r.op);
    let verdict = '';
    if (target) {
      const got =
        target.vs === 'thriftrw'
          ? ratio(r.rates.ours, r.rates.thriftrw)
          : ratio(r.rates.ours, r.reference);
      const pass = got === undefined ? null : got >= target.min;
      verdict = `${target.text}: ${pass === null ? 'N/A' : pass ? 'PASS' : 'MISS'}`;
      if (target.vs === 'alloc+copy' && got !== undefined)
        verdict += ` (ours at ${fmtRatio(got)} of alloc+copy)`;
      verdicts.push({
        target: target.text,
        workload: r.workload,
        op: r.op,
        ...(got !== undefined ? { ratio: got } : {}),
        pass,
      });
    }
    lines.push([
      r.workload,
      r.op,
      ...CODECS.map((k) => formatRate(r.rates[k]?.opsPerSec)),
      formatRate(r.reference?.opsPerSec),
      fmtRatio(ratio(r.rates.ours, r.rates.thriftrw)),
      fmtRatio(ratio(r.rates.ours, r.rates.thrift)),
      verdict,
    ]);
  }
  if (rows.length > 0) console.log(`\n${table(lines)}\n`);
  if (compactRows.length > 0) {
    const cl: string[][] = [
      [
        'workload',
        'op',
        'ours compact ops/s',
        'npm thrift compact ops/s',
        'ours binary ops/s',
        'compact/thrift',
        'compact/binary',
        'targets',
      ],
    ];
    for (const r of compactRows) {
      const vsThrift = ratio(r.ours, r.thrift);
      const vsBinary = ratio(r.ours, r.binary);
      const texts: string[] = [];
      for (const target of COMPACT_TARGETS) {
        if (!target.workloads.includes(r.workload)) continue;
        const got = target.vs === 'thrift' ? vsThrift : vsBinary;
        const pass = got === undefined ? null : got >= target.min;
        texts.push(`${target.text}: ${pass === null ? 'N/A' : pass ? 'PASS' : 'MISS'}`);
        verdicts.push({
          target: target.text,
          workload: r.workload,
          op: `compact-${r.op}`,
          ...(got !== undefined ? { ratio: got } : {}),
          pass,
        });
      }
      cl.push([
        r.workload,
        r.op,
        formatRate(r.ours?.opsPerSec),
        formatRate(r.thrift?.opsPerSec),
        formatRate(r.binary?.opsPerSec),
        fmtRatio(vsThrift),
        fmtRatio(vsBinary),
        texts.join('; '),
      ]);
    }
    console.log(`compact protocol\n${table(cl)}\n`);
  }
  for (const r of rows) {
    if (r.referenceUnsafe && r.reference) {
      notes.push(
        `${r.workload}/${r.op}: allocUnsafe+copy (no zeroing) ${formatRate(r.referenceUnsafe.opsPerSec)} ops/s ` +
          `vs alloc+copy ${formatRate(r.reference.opsPerSec)}; ours at ` +
          `${fmtRatio(ratio(r.rates.ours, r.referenceUnsafe))} of allocUnsafe+copy`,
      );
    }
  }
  const spreads = [
    ...rows.flatMap((r) => Object.values(r.rates).map((m) => m.spread)),
    ...compactRows.flatMap((r) =>
      [r.ours, r.thrift, r.binary].flatMap((m) => (m ? [m.spread] : [])),
    ),
  ];
  const worst = Math.max(0, ...spreads);
  if (worst > 0.3) {
    notes.push(
      `noisy run: batches spread up to ${(worst * 100).toFixed(0)}% around their median ` +
        `(1-minute load average ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores); ` +
        'treat ratios as rough and rerun on a quiet machine',
    );
  }
  for (const n of notes) console.log(`note: ${n}`);
  if (unavailable.ours) console.log('note: targets read N/A until OUR codec loads.');

  if (opts.json) {
    const out = {
      env,
      unavailable,
      notes,
      targets: verdicts,
      compact: compactRows,
      results: rows.flatMap((r) => [
        ...CODECS.flatMap((k) => {
          const m = r.rates[k];
          return m ? [{ workload: r.workload, op: r.op, codec: k, ...m }] : [];
        }),
        ...(r.referenceUnsafe
          ? [
              {
                workload: r.workload,
                op: 'allocUnsafe+copy',
                codec: 'reference',
                bytes: r.referenceBytes,
                ...r.referenceUnsafe,
              },
            ]
          : []),
        ...(r.reference
          ? [
              {
                workload: r.workload,
                op: 'alloc+copy',
                codec: 'reference',
                bytes: r.referenceBytes,
                ...r.reference,
              },
            ]
          : []),
      ]),
    };
    writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${opts.json}`);
  }
  if (sinkState() === 0.5) console.log(''); // keeps the sink observable
  if (opts.check && verdicts.some((v) => v.pass !== true)) process.exitCode = 1;
}

await main();
