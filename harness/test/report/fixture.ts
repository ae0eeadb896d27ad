// A hand-built RunReport for the reporter tests: 2 peers, 8 results covering every verdict, byte
// and value diffs, a shrunk case on the first mismatch, a known failure with its reason, the
// known-failures entries' uses, a stale known-failures entry, and awkward
// strings everywhere (`<script>`, `]]>`, `&`, quotes, control characters, astral characters,
// bidi overrides, lone surrogates).
import type { CaseResult, RunReport, ShrunkCase } from '../../runner/result.js';

/** Every awkward string at once. */
export const AWKWARD = `<script>alert("x")</script> ]]> & 'q' "dq" \u0001\u001b[31m 😀𝕏 \u202e rtl \ud800 # \\ | \`tick\``;

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
const u8 = (s: string) => [...Buffer.from(s, 'utf8')];
const i32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const str = (s: string) => [...i32(u8(s).length), ...u8(s)];
const field = (type: number, id: number) => [type, (id >> 8) & 255, id & 255];

// struct Item { 1: string key, 2: i32 count, 3: list<string> tags } in the binary protocol.
const item = (key: string, count: number, tags: string[]) => [
  ...field(11, 1),
  ...str(key),
  ...field(8, 2),
  ...i32(count),
  ...field(15, 3),
  11,
  ...i32(tags.length),
  ...tags.flatMap(str),
  0,
];

/** The wanted and got bytes of the main mismatch, and where the differences are. */
export const WANTED = item('<script>', 42, ['a&b', 'dq"😀']);
export const GOT = item('<script>', 43, ['a&b', 'dq"😁']);
/** Offset of the count's last byte: 3 + 4 + 8 + 3 + 3. */
export const COUNT_AT = 3 + 4 + 8 + 3 + 3;
/** Offset of the last byte of 😀 in the second tag. */
export const EMOJI_AT = WANTED.length - 2;

const IDL = `namespace py conform
/* ]]> </script><script>alert(1)</script> & "quotes" */
struct Item {
  1: string key
  2: i32 count
  3: list<string> tags
}
`;

/** The shrunk bytes: struct { 2: i32 count } with count 0 wanted, 1 got. */
export const SHRUNK_WANTED = [...field(8, 2), ...i32(0), 0];
export const SHRUNK_GOT = [...field(8, 2), ...i32(1), 0];
/** Offset of the shrunk count's last byte. */
export const SHRUNK_AT = 6;

/** The shrunk case of the first mismatch (3 steps, awkward text in its IDL). */
export const SHRUNK: ShrunkCase = {
  steps: 3,
  summary: 'value.count: wanted 0, got 1 <i>&</i>',
  fingerprint: 'field:Item.count:value',
  type: 'Item',
  idl: {
    'shrunk/item.thrift': `namespace py conform
/* </script><script>alert(3)</script> */
struct Item {
  2: i32 count
}
`,
  },
  valueJson: JSON.stringify({ count: 0, note: '</script>' }),
  path: '3:1:0:0:2',
  wantedHex: hex(SHRUNK_WANTED),
  gotHex: hex(SHRUNK_GOT),
  byteDiff: [{ offset: SHRUNK_AT, length: 1, path: 'value.count', meaning: 'i32 value' }],
  valueDiff: [{ path: 'value.count', wanted: '0', got: '1' }],
  replay: `npx tsx harness/cli.ts replay --seed 1234 --path '3:1:0:0:2' --peer thriftrw-py 'binary/peer:thriftrw-py/struct-<script>&"nested"'`,
  bundle: 'bundles/thriftrw-py/struct-nested-shrunk',
};

const results: CaseResult[] = [
  {
    name: 'binary/peer:thriftrw-py/struct-simple',
    peer: 'thriftrw-py',
    protocol: 'binary',
    transport: 'framed',
    envelope: 'strict',
    property: 'codec-roundtrip',
    verdict: 'identical',
    summary: 'same bytes, same value',
    durationMs: 3,
  },
  {
    name: 'compact/peer:thriftrw-py/set-of-strings',
    peer: 'thriftrw-py',
    protocol: 'compact',
    property: 'peer-roundtrip',
    verdict: 'allowed-variant',
    summary: 'set elements in another order (allowed)',
    fingerprint: 'set-order',
    wantedHex: '1a28016101620000',
    gotHex: '1a28016201610000',
    byteDiff: [{ offset: 4, length: 1, path: 'value.names[0]', meaning: 'value' }],
    durationMs: 5,
  },
  {
    name: 'binary/peer:thriftrw-py/struct-<script>&"nested"',
    peer: 'thriftrw-py',
    protocol: 'binary',
    transport: 'framed',
    envelope: 'strict',
    property: 'peer-roundtrip',
    verdict: 'mismatch',
    summary: `value.count: wanted 42, got 43; value.tags[1] differs ${AWKWARD}`,
    fingerprint: 'field:Item.count:value',
    wantedHex: hex(WANTED),
    gotHex: hex(GOT),
    byteDiff: [
      { offset: COUNT_AT, length: 1, path: 'value.count', meaning: 'i32 value' },
      {
        offset: EMOJI_AT,
        length: 1,
        path: 'value.tags[1]<script>',
        meaning: 'string bytes & "utf-8"',
      },
    ],
    valueDiff: [
      { path: 'value.count', wanted: '42', got: '43' },
      {
        path: 'value.tags[1]',
        wanted: JSON.stringify('dq"😀'),
        got: JSON.stringify(`dq"😁 ${AWKWARD}`),
      },
      { path: 'value.extra', wanted: '"</script><script>alert(2)</script>"' },
    ],
    idl: { 'item.thrift': IDL, 'inc/<b>.thrift': 'typedef i32 Count\n' },
    valueJson: JSON.stringify({ key: '<script>', count: 42, tags: ['a&b', 'dq"😀'] }),
    seed: 1234,
    path: '3:1:0',
    replay: `npx tsx harness/cli.ts replay --seed 1234 --path '3:1:0' --peer thriftrw-py 'binary/peer:thriftrw-py/struct-<script>&"nested"'`,
    bundle: 'bundles/thriftrw-py/struct-nested',
    durationMs: 12,
    type: 'Item',
    origin: 'generated',
    shrunk: SHRUNK,
  },
  {
    name: 'binary/peer:thriftrw-py/struct-simple',
    peer: 'thriftrw-py',
    protocol: 'binary',
    transport: 'buffered',
    envelope: 'strict',
    property: 'peer-roundtrip',
    verdict: 'identical',
    summary: 'same bytes, same value',
    durationMs: 4,
  },
  {
    name: 'compact/peer:apache-py/map-i32-string',
    peer: 'apache-py',
    protocol: 'compact',
    property: 'peer-roundtrip',
    verdict: 'identical',
    summary: 'same bytes, same value',
    durationMs: 6,
  },
  {
    name: 'binary/peer:apache-py/keyvalue-get',
    peer: 'apache-py',
    protocol: 'binary',
    transport: 'framed',
    envelope: 'strict',
    property: 'our-client-peer-server',
    verdict: 'peer-error',
    summary: 'apache-py server closed the connection after 0 bytes',
    stderr: `Traceback (most recent call last):\n  File "server.py", line 3, in <module>\nValueError: bad \u001b[31mred\u001b[0m 𝕏 </script>\n...\n`,
    replay: `npx tsx harness/cli.ts replay --seed 1234 --peer apache-py 'binary/peer:apache-py/keyvalue-get'`,
    durationMs: 2000,
  },
  {
    name: 'binary/peer:apache-py/i8-negative',
    peer: 'apache-py',
    protocol: 'binary',
    transport: 'framed',
    envelope: 'strict',
    property: 'peer-roundtrip',
    verdict: 'known-failure',
    summary: 'value.b: wanted -1, got 255',
    fingerprint: 'field:Bytes.b:value',
    knownReason: 'apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000',
    knownEntry: 'cases/known-failures/apache-py.txt:1',
    wantedHex: '03000100ff00',
    gotHex: '03000100ff00',
    byteDiff: [{ offset: 3, length: 1, path: 'value.b', meaning: 'byte value' }],
    valueDiff: [{ path: 'value.b', wanted: '-1', got: '255' }],
    durationMs: 7,
  },
  {
    name: 'binary/peer:apache-py/optional-missing',
    peer: 'apache-py',
    protocol: 'binary',
    transport: 'buffered',
    envelope: 'nonstrict',
    property: 'peer-client-our-server',
    verdict: 'mismatch',
    summary: 'field value.note (2) missing in the peer’s bytes',
    fingerprint: 'field:Note.note:missing',
    wantedHex: '08000100000001' + '0b000200000002' + '6869' + '00',
    gotHex: '08000100000001' + '00',
    byteDiff: [
      { offset: 7, length: 3, path: 'value.note', meaning: 'field header' },
      { offset: 10, length: 4, path: 'value.note', meaning: 'length' },
      { offset: 14, length: 2, path: 'value.note', meaning: 'value' },
    ],
    valueDiff: [{ path: 'value.note', wanted: '"hi"' }],
    seed: 99,
    replay: `npx tsx harness/cli.ts replay --seed 99 --peer apache-py 'binary/peer:apache-py/optional-missing'`,
    durationMs: 9,
  },
];

/** The fixture report. */
export const REPORT: RunReport = {
  schemaVersion: 1,
  tool: { name: 'thrift-conform', version: '0.1.0' },
  startedAt: '2025-01-02T03:04:05.678Z',
  durationMs: 4321,
  seed: 1234,
  command: `thrift-conform run --seed 1234 --peers thriftrw-py,apache-py --filter '<script>&'`,
  peers: [
    {
      name: 'thriftrw-py',
      version: '1.9.0',
      backend: 'process',
      startMs: 310,
      cases: 4,
      casesPerSecond: 812.5,
    },
    {
      name: 'apache-py',
      version: '0.17.0',
      backend: 'container',
      startMs: 1250,
      cases: 4,
      casesPerSecond: 95.2,
      notGiven: { 'no uuid (the uuid type)': 12, 'names it cannot take: <reserved> & co': 3 },
    },
  ],
  results,
  staleKnownFailures: [
    {
      peer: 'thriftrw-py',
      entry: 'binary/peer:thriftrw-py/map-order set-order',
      kind: 'unmatched',
      why: 'matched nothing in this run <& "stale">',
    },
  ],
  knownFailures: [
    {
      peer: 'thriftrw-py',
      entry: 'binary/peer:thriftrw-py/map-order set-order',
      reason: 'thriftrw-py sorts sets <b>maybe</b>',
      source: 'cases/known-failures/thriftrw-py.txt:3',
      matched: 0,
      passing: 0,
    },
    {
      peer: 'apache-py',
      entry: 'field:Bytes.b:value',
      reason: 'apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000',
      source: 'cases/known-failures/apache-py.txt:1',
      matched: 1,
      passing: 0,
    },
  ],
  exitCode: 1,
};

/** The results that get a failure section (every non-passing verdict). */
export const FAILING = results.filter(
  (r) => r.verdict === 'mismatch' || r.verdict === 'peer-error' || r.verdict === 'known-failure',
);

/** True when `s` holds a raw control character (but tab, LF), a bidi override or a lone surrogate. */
export function hasRawControl(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp < 0x20 && cp !== 9 && cp !== 10) || (cp >= 0x7f && cp <= 0x9f)) return true;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0xd800 && cp <= 0xdfff)) return true;
  }
  return false;
}

/**
 * What a result reads back as from results.jsonl or report.json when it was written lean (see
 * report/lean.ts): the fields its group holds, its name, duration (to 0.1 ms) and the group's
 * summary (`summary`, default its own).
 */
export function leanOf(r: CaseResult, summary = r.summary): CaseResult {
  const keep = [
    'name',
    'peer',
    'protocol',
    'transport',
    'envelope',
    'property',
    'verdict',
    'fingerprint',
    'knownEntry',
    'knownReason',
    'origin',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const k of keep) if (r[k] !== undefined) out[k] = r[k];
  return {
    ...(out as unknown as CaseResult),
    summary,
    durationMs: Math.round(r.durationMs * 10) / 10,
  };
}

/** REPORT's results as they read back: passing ones lean, the others (first of their cause) in full. */
export const READ_BACK: CaseResult[] = results.map((r) =>
  r.verdict === 'identical' || r.verdict === 'allowed-variant' ? leanOf(r) : r,
);
