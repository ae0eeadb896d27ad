// Scheduling: what a schema needs is read off its IDL; a peer is given a schema only when its
// abilities and name rules cover it, with a stable reason when not; every schema generated from a
// peer's profile fits that peer (so each selected peer gets schemas it can take); fields without
// ids are a feature, and apache-dialect peers get profiles in their dialect.
import t from 'tap';
import fc from 'fast-check';
import { idlArb, printIdl } from '../../arbitraries/idl.js';
import type { TypeSpec } from '../../../codec/src/index.js';
import type { PeerManifest } from '../../peers/manifest.js';
import type { Abilities, Peer } from '../../peers/peer.js';
import { generatorProfiles, reasonKind, schemaNeeds, whyNot } from '../../runner/schedule.js';

const seed = Number(process.env.FC_SEED ?? 20261130);
t.comment(`schedule seed ${seed} (replay with FC_SEED=${seed})`);

const ALL = {
  uuid: true,
  oneway: true,
  serviceInheritance: true,
  includes: true,
  typedefOfSet: true,
  setsOfUnhashable: true,
};

/** A peer that is only its abilities and name rules (never started). */
function fakePeer(name: string, features: Record<string, boolean>, avoid: NameSpec[] = []): Peer {
  const abilities: Abilities = {
    protocols: ['binary'],
    transports: ['framed'],
    envelopes: { read: ['strict'], write: ['strict'] },
    dialect: 'thriftrw',
    features,
  };
  const manifest = {
    name,
    abilities,
    avoidNames: avoid.map((a) => ({
      reason: a.reason,
      names: new Set(a.names ?? []),
      ...(a.pattern ? { pattern: a.pattern } : {}),
    })),
  } as unknown as PeerManifest;
  return { name, manifest, info: { name, version: '1', abilities } } as unknown as Peer;
}
type NameSpec = { reason: string; names?: string[]; pattern?: RegExp };

void t.test('schemaNeeds reads the features a schema uses and its names', async (t) => {
  const needs = schemaNeeds({
    'main.thrift': `include "./shared.thrift"
typedef set<string> Tags
typedef shared.P Alias
struct S {
  1: optional uuid id
  2: optional set<Alias> points
  3: optional map<list<i32>, string> byList
}
service Base { void ping() }
service Svc extends Base {
  oneway void fire(1: string why)
}`,
    'shared.thrift': `struct P { 1: required i32 x }
enum E { A = 1 }`,
  });
  t.same([...needs.features].sort(), [
    'includes',
    'oneway',
    'serviceInheritance',
    'setsOfUnhashable',
    'typedefOfSet',
    'uuid',
  ]);
  for (const n of [
    'Tags',
    'Alias',
    'S',
    'id',
    'points',
    'byList',
    'Base',
    'Svc',
    'ping',
    'fire',
    'why',
    'P',
    'x',
    'E',
    'A',
  ])
    t.ok(needs.names.has(n), `names include ${n}`);
  const plain = schemaNeeds({
    'a.thrift': 'struct S { 1: optional set<i32> s 2: optional map<string, S> m }',
  });
  t.same([...plain.features], [], 'sets of hashable elements and struct map values need nothing');
  const viaTypedef = schemaNeeds({
    'a.thrift': 'typedef set<i32> A\ntypedef A B\nstruct S { 1: optional B b }',
  });
  t.ok(viaTypedef.features.has('typedefOfSet'), 'a typedef of a typedef of a set');
});

void t.test(
  'whyNot: a missing feature or a name the peer cannot take, with a stable reason',
  async (t) => {
    const needs = schemaNeeds({ 'a.thrift': 'struct await { 1: optional uuid id }' });
    const noUuid = fakePeer('p', { ...ALL, uuid: false });
    t.equal(whyNot(noUuid, needs), 'no uuid (the uuid type)');
    const keyword = fakePeer('q', ALL, [{ names: ['await'], reason: 'a keyword in its language' }]);
    const why = whyNot(keyword, needs)!;
    t.equal(why, 'name "await": a keyword in its language');
    t.equal(
      reasonKind(why),
      'names it cannot take: a keyword in its language',
      'counted without the name',
    );
    t.equal(whyNot(fakePeer('r', ALL), needs), undefined, 'a peer that can do it all is given it');
    const dunder = fakePeer('s', ALL, [{ pattern: /^__\w+__$/, reason: 'dunder' }]);
    t.equal(
      whyNot(dunder, schemaNeeds({ 'a.thrift': 'struct __init__ { 1: optional i32 x }' })),
      'name "__init__": dunder',
    );
  },
);

void t.test('every IDL generated from a peer profile fits that peer', async (t) => {
  const peers = [
    fakePeer(
      'weak',
      {
        uuid: false,
        oneway: false,
        serviceInheritance: false,
        includes: false,
        typedefOfSet: false,
        setsOfUnhashable: false,
      },
      [
        { names: ['class', 'def', 'await'], reason: 'keywords' },
        { pattern: /^__\w+__$/, reason: 'dunder' },
      ],
    ),
    fakePeer('strong', ALL),
    fakePeer('strong-too', ALL),
  ];
  const profiles = generatorProfiles(peers, { keywordNames: true });
  t.equal(profiles.length, 3, 'a common profile, then identical peer profiles once');
  t.ok(profiles[0]!.weight > profiles[1]!.weight * 4, 'most schemas fit every peer');
  t.same(generatorProfiles([], {}).length, 1, 'no peers: one profile with everything on');
  t.same(generatorProfiles([peers[1]!, peers[2]!], {}).length, 1, 'one distinct profile: just it');
  const fits = (owners: Peer[], i: number) => {
    const sets = fc.sample(idlArb(profiles[i]!.idl), { seed, numRuns: 60 });
    for (const owner of owners) {
      const misfits = sets.flatMap((g) => {
        const why = whyNot(owner, schemaNeeds(printIdl(g)));
        return why === undefined ? [] : [why];
      });
      t.same(misfits, [], `profile ${i}: 60 generated IDLs all fit ${owner.name}`);
    }
  };
  fits(peers, 0);
  fits([peers[0]!], 1);
  fits([peers[1]!], 2);
  // And the strong profile does use what the weak peer lacks, so the weak peer does not narrow it.
  const strongSets = fc.sample(idlArb(profiles[2]!.idl), { seed, numRuns: 60 });
  const used = new Set(strongSets.flatMap((g) => [...schemaNeeds(printIdl(g)).features]));
  t.ok(
    used.has('uuid') && used.has('includes') && used.has('oneway'),
    `the strong profile uses ${[...used].join(', ')}`,
  );
});

void t.test(
  'holdsUndeclaredEnum finds an enum value the IDL does not declare, at any depth',
  async (t) => {
    const { compile } = await import('../../../codec/src/index.js');
    const m = compile(`enum E { A = 1, B = 2 }
struct In { 1: optional E e }
struct S {
  1: optional E e
  2: optional list<E> l
  3: optional map<E, In> m
  4: optional In i
}`);
    const S = m.S as unknown as { __spec__: TypeSpec };
    const In = m.In as unknown as new (v: object) => object;
    const { holdsUndeclaredEnum } = await import('../../runner/schedule.js');
    t.notOk(holdsUndeclaredEnum(S.__spec__, { e: 1, l: [1, 2] }), 'declared values');
    t.ok(holdsUndeclaredEnum(S.__spec__, { e: 7 }), 'a field');
    t.ok(holdsUndeclaredEnum(S.__spec__, { l: [1, 9] }), 'a list element');
    t.ok(holdsUndeclaredEnum(S.__spec__, { m: new Map([[5, new In({})]]) }), 'a map key');
    t.ok(holdsUndeclaredEnum(S.__spec__, { i: new In({ e: -3 }) }), 'a nested struct');
    t.notOk(holdsUndeclaredEnum(S.__spec__, {}), 'nothing set');
  },
);

void t.test(
  'fields without ids: read off the IDL, given only to peers that take them',
  async (t) => {
    const needs = schemaNeeds({
      'main.thrift': `struct S {
  1: required i32 a
  string b
}
service Svc { void f(1: i32 x, i64 y) }`,
    });
    t.ok(needs.features.has('implicitFieldIds'), 'a field or a parameter without an id');
    t.notOk(
      schemaNeeds({ 'main.thrift': 'struct S { 1: required i32 a }' }).features.has(
        'implicitFieldIds',
      ),
      'not when every field has one',
    );
    const apache = (name: string, implicitFieldIds: boolean) => {
      const p = fakePeer(name, { ...ALL, implicitFieldIds });
      (p.info.abilities as { dialect: string }).dialect = 'apache';
      return p;
    };
    t.equal(
      whyNot(apache('no-ids', false), { ...needs, dialect: 'apache' }),
      'no implicitFieldIds (fields without ids (implicit ids -1, -2, …))',
    );
    t.equal(whyNot(apache('ids', true), { ...needs, dialect: 'apache' }), undefined);
    // Profiles: each peer's own in its dialect (fields without ids when it takes them); the
    // common one in the thriftrw dialect while a thriftrw-dialect peer is selected.
    const profiles = generatorProfiles(
      [apache('ids', true), fakePeer('rw', { ...ALL, implicitFieldIds: false })],
      {},
    );
    t.same(
      profiles.map((p) => [p.idl.dialect, p.idl.features?.implicitFieldIds]),
      [
        ['thriftrw', false],
        ['apache', true],
        ['thriftrw', false],
      ],
    );
    const sets = fc.sample(idlArb(profiles[1]!.idl), { seed, numRuns: 100 });
    t.ok(
      sets.every((g) => g.dialect === 'apache'),
      'the apache profile makes apache-dialect IDL',
    );
    const withIds = sets.filter((g) => schemaNeeds(printIdl(g)).features.has('implicitFieldIds'));
    t.ok(withIds.length > 10, `${withIds.length}/100 of them with fields without ids`);
    t.same(
      generatorProfiles([apache('a', true), apache('b', false)], {}).map((p) => p.idl.dialect),
      ['apache', 'apache', 'apache'],
      'apache peers only: the common profile is apache too',
    );
  },
);
