// Property: for any AST (of a small arbitrary), parse inverts print and print is stable.
import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { parse } from '../../src/idl/parser.js';
import { print, stripLocations } from '../../src/idl/printer.js';
import type * as A from '../../src/idl/ast.js';
import { KEYWORDS } from '../../src/idl/lexer.js';

// ---------------------------------------------------------------------------------------------
// A small arbitrary of valid ASTs (docs normalized, ints and doubles spelled to match their value)
// ---------------------------------------------------------------------------------------------

const loc = { file: '<string>', line: 1, column: 1 };
const nameArb = fc.oneof(
  fc.constantFrom('class', 'def', 'from', 'import', 'True', 'self', '_x', 'a1'),
  // words that are Apache keywords only in some positions
  fc.constantFrom('async', 'package', 'xsd_all', 'xsd_optional', 'xsd_nillable', 'xsd_attrs'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/).filter((s) => !KEYWORDS.has(s)),
);
const dottedArb = fc.array(nameArb, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const textArb = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 }));
const docArb = fc.option(
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9 .,*@-]{0,16}$/), { minLength: 1, maxLength: 3 })
    .map((lines) =>
      lines
        .map((l) => l.trimEnd())
        .join('\n')
        .trim(),
    )
    .map((d) => (d === '' ? undefined : d)),
  { nil: undefined },
);
const annotationsArb = fc.array(
  fc.record({
    kind: fc.constant('Annotation' as const),
    name: dottedArb,
    value: fc.option(textArb, { nil: undefined }),
    loc: fc.constant(loc),
  }),
  { maxLength: 2 },
);
const baseNames: A.BaseTypeName[] = [
  'bool',
  'byte',
  'i8',
  'i16',
  'i32',
  'i64',
  'double',
  'string',
  'binary',
  'uuid',
];

const { type: typeArb } = fc.letrec<{ type: A.TypeRef }>((tie) => {
  const inner = tie('type');
  return {
    type: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({
        kind: fc.constant('BaseType' as const),
        name: fc.constantFrom(...baseNames),
        annotations: annotationsArb,
        loc: fc.constant(loc),
      }),
      fc.record({
        kind: fc.constant('NamedType' as const),
        name: dottedArb,
        loc: fc.constant(loc),
      }),
      fc.record({
        kind: fc.constantFrom('ListType' as const, 'SetType' as const),
        valueType: inner,
        annotations: annotationsArb,
        loc: fc.constant(loc),
      }),
      fc.record({
        kind: fc.constant('MapType' as const),
        keyType: inner,
        valueType: inner,
        annotations: annotationsArb,
        loc: fc.constant(loc),
      }),
    ),
  };
});

const intArb: fc.Arbitrary<A.ConstInt> = fc
  .tuple(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.constantFrom('dec', 'plus', 'hex', 'HEX'),
  )
  .map(([value, style]) => {
    const sign = value < 0n ? '-' : style === 'plus' ? '+' : '';
    const abs = value < 0n ? -value : value;
    const digits =
      style === 'hex'
        ? `0x${abs.toString(16)}`
        : style === 'HEX'
          ? `0x${abs.toString(16).toUpperCase()}`
          : String(abs);
    return { kind: 'ConstInt', value, text: sign + digits, loc };
  });
const doubleArb: fc.Arbitrary<A.ConstDouble> = fc
  .record({
    sign: fc.constantFrom('', '+', '-'),
    whole: fc.stringMatching(/^[0-9]{0,4}$/),
    frac: fc.option(fc.stringMatching(/^[0-9]{0,3}$/), { nil: undefined }),
    exp: fc.option(fc.stringMatching(/^[eE][+-]?[0-9]{1,3}$/), { nil: undefined }),
  })
  .filter(
    ({ whole, frac, exp }) =>
      (whole !== '' || (frac ?? '') !== '') && (frac !== undefined || exp !== undefined),
  )
  .map(({ sign, whole, frac, exp }) => {
    const text = `${sign}${whole}${frac === undefined ? '' : `.${frac}`}${exp ?? ''}`;
    return { kind: 'ConstDouble' as const, value: Number(text), text, loc };
  })
  // The parser refuses a double that overflows to Infinity or underflows to 0.
  .filter(
    ({ value, text }) =>
      Number.isFinite(value) && (value !== 0 || !/[1-9]/.test(text.split(/[eE]/)[0]!)),
  );

const { value: constArb } = fc.letrec<{ value: A.ConstValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    intArb,
    doubleArb,
    fc.record({ kind: fc.constant('ConstString' as const), value: textArb, loc: fc.constant(loc) }),
    fc.record({
      kind: fc.constant('ConstIdentifier' as const),
      name: fc.oneof(dottedArb, fc.constantFrom('true', 'false')),
      loc: fc.constant(loc),
    }),
    fc.record({
      kind: fc.constant('ConstList' as const),
      values: fc.array(tie('value'), { maxLength: 3 }),
      loc: fc.constant(loc),
    }),
    fc.record({
      kind: fc.constant('ConstMap' as const),
      entries: fc.array(fc.record({ key: tie('value'), value: tie('value') }), { maxLength: 2 }),
      loc: fc.constant(loc),
    }),
  ),
}));

const plainFieldArb: fc.Arbitrary<A.Field> = fc.record({
  kind: fc.constant('Field' as const),
  id: fc.option(fc.integer({ min: -32768, max: 32767 }), { nil: undefined }),
  name: nameArb,
  type: typeArb,
  requiredness: fc.constantFrom<A.Requiredness>('required', 'optional', 'default'),
  defaultValue: fc.option(constArb, { nil: undefined }),
  annotations: annotationsArb,
  doc: docArb,
  loc: fc.constant(loc),
});
/** Fields with Apache's markers too: `&`, `xsd_optional`, `xsd_nillable`, `xsd_attrs {...}`. */
const fieldArb: fc.Arbitrary<A.Field> = fc
  .tuple(
    plainFieldArb,
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.option(fc.array(plainFieldArb, { maxLength: 2 }), { nil: undefined }),
  )
  .map(([f, reference, xsdOptional, xsdNillable, xsdAttrs]) => ({
    ...f,
    ...(reference ? { reference: true as const } : {}),
    ...(xsdOptional ? { xsdOptional: true as const } : {}),
    ...(xsdNillable ? { xsdNillable: true as const } : {}),
    ...(xsdAttrs === undefined ? {} : { xsdAttrs }),
  }));
const fieldsArb = fc.array(fieldArb, { maxLength: 3 });
const common = { name: nameArb, annotations: annotationsArb, doc: docArb, loc: fc.constant(loc) };

const definitionArb: fc.Arbitrary<A.Definition> = fc.oneof(
  fc.record({ kind: fc.constant('Typedef' as const), type: typeArb, ...common }),
  fc.record({
    kind: fc.constant('Const' as const),
    name: nameArb,
    type: typeArb,
    value: constArb,
    doc: docArb,
    loc: fc.constant(loc),
  }),
  fc.record({
    kind: fc.constant('Enum' as const),
    items: fc.array(
      fc.record({
        kind: fc.constant('EnumItem' as const),
        value: fc.option(intArb, { nil: undefined }),
        ...common,
      }),
      { maxLength: 3 },
    ),
    ...common,
  }),
  fc.record({
    kind: fc.constantFrom('Union' as const, 'Exception' as const),
    fields: fieldsArb,
    ...common,
  }),
  fc
    .record({ kind: fc.constant('Struct' as const), fields: fieldsArb, ...common })
    .chain((d) => fc.boolean().map((all) => (all ? { ...d, xsdAll: true as const } : d))),
  fc.record({
    kind: fc.constant('Service' as const),
    extends: fc.option(dottedArb, { nil: undefined }),
    extendsLoc: fc.constant(undefined),
    functions: fc.array(
      fc
        .record({
          kind: fc.constant('Function' as const),
          oneway: fc.boolean(),
          returnType: fc.option(typeArb, { nil: undefined }),
          parameters: fieldsArb,
          exceptions: fieldsArb,
          ...common,
        })
        // `async` is Apache's old spelling of `oneway`
        .chain((f) =>
          fc.boolean().map((async) => (f.oneway && async ? { ...f, async: true as const } : f)),
        ),
      { maxLength: 3 },
    ),
    ...common,
  }),
);

const headerArb: fc.Arbitrary<A.Header> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('Include' as const, 'CppInclude' as const),
    path: textArb,
    loc: fc.constant(loc),
  }),
  fc.record({
    kind: fc.constant('Namespace' as const),
    scope: fc.oneof(fc.constant('*'), dottedArb),
    name: dottedArb,
    annotations: annotationsArb,
    loc: fc.constant(loc),
  }),
);

const programArb: fc.Arbitrary<A.Program> = fc.record({
  kind: fc.constant('Program' as const),
  file: fc.constant('<string>'),
  headers: fc.array(headerArb, { maxLength: 3 }),
  definitions: fc.array(definitionArb, { maxLength: 4 }),
});

void t.test('property: print(parse(print(ast))) is stable and parse inverts print', async (t) => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
  t.comment(`fast-check seed ${seed}`);
  const prop = fc.property(programArb, (ast) => {
    const text = print(ast);
    const parsed = parse(text);
    if (!isDeepStrictEqual(stripLocations(parsed), stripLocations(ast))) {
      throw new Error(`parse(print(ast)) differs from ast; printed:\n${text}`);
    }
    if (print(parsed) !== text) throw new Error(`print is not stable for:\n${text}`);
  });
  t.doesNotThrow(() => fc.assert(prop, { seed, numRuns: 300 }));
});
