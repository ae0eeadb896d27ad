// The keyword lists: no Thrift keyword among the names generated; every name our codec is known to
// mishandle (CODEC_MISHANDLED_NAMES) still fails in that position — when one is fixed, this test
// says so and the name can go back into generated IDL — and the other keyword names work there.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import { CODEC_MISHANDLED_NAMES, KEYWORD_NAMES, THRIFT_KEYWORDS } from '../../arbitraries/names.js';

const own = (o: object, n: string) => Object.prototype.hasOwnProperty.call(o, n);
/* eslint-disable @typescript-eslint/no-explicit-any */
const works: Record<
  keyof typeof CODEC_MISHANDLED_NAMES,
  (n: string) => boolean | Promise<boolean>
> = {
  field(n) {
    const m: any = compile(`struct S { 1: optional i32 ${n} 2: optional i32 z }\n`, {
      file: 'x.thrift',
    });
    const a = new m.S({ z: 1 });
    const b = new m.S({ [n]: 5 });
    return m.loads(m.S, m.dumps(a)).equals(a) && m.loads(m.S, m.dumps(b))[n] === 5;
  },
  member(n) {
    const m: any = compile(`enum E { ${n} = 7 }\nconst i32 ${n} = 5\n`, { file: 'x.thrift' });
    return own(m.E, n) && m.E[n] === 7 && own(m, n) && m[n] === 5;
  },
  async structName(n) {
    const m: any = compile(`struct ${n} { 1: optional i32 a }\n`, { file: 'x.thrift' });
    return (await Promise.resolve(m).catch(() => undefined)) === m && own(m, n);
  },
  function(n) {
    const m: any = compile(`service S { void ${n}(1: i32 a) }\n`, { file: 'x.thrift' });
    return typeof m.S[n]?.request === 'function';
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

void t.test('no Thrift keyword is a keyword name', async (t) => {
  t.same(
    KEYWORD_NAMES.filter((n) => THRIFT_KEYWORDS.has(n)),
    [],
  );
  t.equal(new Set(KEYWORD_NAMES).size, KEYWORD_NAMES.length, 'no duplicates');
});

for (const [position, names] of Object.entries(CODEC_MISHANDLED_NAMES)) {
  const check = works[position as keyof typeof works];
  void t.test(`our codec still mishandles these as ${position} names`, async (t) => {
    for (const n of names) {
      let ok: boolean;
      try {
        ok = await check(n);
      } catch {
        ok = false;
      }
      t.notOk(
        ok,
        `${n} still fails (remove it from CODEC_MISHANDLED_NAMES.${position} once fixed)`,
      );
    }
  });
  void t.test(`the other keyword names work as ${position} names`, async (t) => {
    const failing: string[] = [];
    for (const n of KEYWORD_NAMES.filter((x) => !names.has(x))) {
      // names our codec refuses by design (module and enum-object members) are not generated
      if (['__spec__', '__name__'].includes(n) && position !== 'field') continue;
      if (position !== 'field' && CODEC_MISHANDLED_NAMES.member.has(n)) continue;
      try {
        if (!(await check(n))) failing.push(n);
      } catch (e) {
        failing.push(`${n}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    t.same(failing, []);
  });
}
