/**
 * A reducer for failing cases, after fast-check's shrinking: it edits the IDL files and the value
 * directly — drops an included file, a definition, a field, a function, a default, a value's
 * field or a container's element — and keeps each edit that leaves the case smaller and still
 * failing the same way (greedy, first improvement, until nothing helps or time runs out).
 *
 * fast-check shrinks a generated schema through its generator's structure (counts first, then
 * the chained stages), so a schema spread over included files often comes back barely smaller:
 * a shrunk count regenerates the later stages. The reducer works on what a person reads.
 * Candidates our codec cannot compile, or whose value no longer fits the type, are skipped.
 */
import { parse, print } from '../../codec/src/index.js';
import type { ast } from '../../codec/src/index.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import { compileSchema } from './cases.js';
import type { CompiledSchema } from './cases.js';

/** A case as the reducer edits it: IDL files, the main file, the value's type and its JSON. */
export interface ReducibleCase {
  readonly files: Readonly<Record<string, string>>;
  readonly main: string;
  readonly type: string;
  readonly value: Json;
}

/** A candidate that compiles, with its schema and its value as the codec holds it. */
export interface ReducedCandidate extends ReducibleCase {
  readonly schema: CompiledSchema;
  readonly codecValue: object;
}

/** Options of {@link reduceCase}. */
export interface ReduceOptions {
  /** `performance.now()` after which no candidate is tried. */
  readonly deadline: number;
  /** Whether a candidate still fails the same way (it is kept then). Must not throw. */
  readonly stillFails: (c: ReducedCandidate) => Promise<boolean>;
}

/** What a person must read: the IDL text and the value JSON, in characters. Never throws. */
export function caseSize(c: ReducibleCase): number {
  return Object.values(c.files).reduce((n, t) => n + t.length, 0) + JSON.stringify(c.value).length;
}

/**
 * Reduces `start` (which must fail) while `stillFails` says it does, until no edit helps or the
 * deadline passes. Returns the smallest case kept (`start` itself when nothing helped) and how
 * many edits were kept. Never throws (a candidate that cannot be built is skipped).
 */
export async function reduceCase(
  start: ReducibleCase,
  options: ReduceOptions,
): Promise<{ readonly case: ReducibleCase; readonly steps: number }> {
  let current = start;
  let steps = 0;
  for (;;) {
    let improved = false;
    for (const next of candidates(current)) {
      if (performance.now() > options.deadline) return { case: current, steps };
      const built = build(next);
      if (built === undefined || caseSize(built) >= caseSize(current)) continue;
      if (await options.stillFails(built)) {
        current = { files: built.files, main: built.main, type: built.type, value: built.value };
        steps++;
        improved = true;
        break; // start again from the smaller case
      }
    }
    if (!improved) return { case: current, steps };
  }
}

/** Compiles a candidate and fits its value to the type; undefined when either fails. */
function build(c: ReducibleCase): ReducedCandidate | undefined {
  try {
    const schema = compileSchema(c.files, c.main);
    const C = schema.classes.get(c.type);
    if (C === undefined) return undefined;
    const codecValue = fromPeerJson(C.__spec__, c.value) as object;
    // Round the JSON through the type: fields the IDL no longer has drop out of the value.
    const value = toPeerJson(C.__spec__, codecValue);
    return { ...c, value, schema, codecValue };
  } catch {
    return undefined;
  }
}

/** Every one-step edit of `c`, the ones that remove most first. Never throws. */
function* candidates(c: ReducibleCase): Generator<ReducibleCase> {
  const programs = new Map<string, ast.Program>();
  for (const [name, text] of Object.entries(c.files)) {
    try {
      programs.set(name, parse(text, name));
    } catch {
      return; // not our printer's text: leave it as it is
    }
  }
  const withPrograms = (edit: (ps: Map<string, ast.Program>) => void): ReducibleCase => {
    const ps = new Map(programs);
    edit(ps);
    // Unchanged files keep their text (only the edited ones are printed again).
    const files: Record<string, string> = {};
    for (const [name, p] of ps) files[name] = p === programs.get(name) ? c.files[name]! : print(p);
    return { ...c, files };
  };

  // 1. A whole included file (and every include of it).
  for (const name of programs.keys()) {
    if (name === c.main) continue;
    yield withPrograms((ps) => {
      ps.delete(name);
      for (const [n, p] of ps)
        ps.set(n, {
          ...p,
          headers: p.headers.filter((h) => !(h.kind === 'Include' && h.path.endsWith(name))),
        });
    });
  }
  // 2. A definition (not the Echo service, not the case's type).
  for (const [name, p] of programs) {
    for (let i = 0; i < p.definitions.length; i++) {
      const d = p.definitions[i]!;
      if (name === c.main && (d.name === 'Echo' || d.name === c.type)) continue;
      yield withPrograms((ps) =>
        ps.set(name, { ...p, definitions: p.definitions.filter((_, j) => j !== i) }),
      );
    }
  }
  // 3. Echo functions of other types; functions of other services.
  for (const [name, p] of programs) {
    for (let i = 0; i < p.definitions.length; i++) {
      const d = p.definitions[i]!;
      if (d.kind !== 'Service') continue;
      for (let f = 0; f < d.functions.length; f++) {
        if (d.name === 'Echo' && name === c.main && d.functions[f]!.name === `echo${c.type}`)
          continue;
        const svc: ast.Service = { ...d, functions: d.functions.filter((_, j) => j !== f) };
        yield withPrograms((ps) => ps.set(name, replaceDef(p, i, svc)));
      }
    }
  }
  // 4. A field of a struct, union or exception; then a field's default.
  for (const [name, p] of programs) {
    for (let i = 0; i < p.definitions.length; i++) {
      const d = p.definitions[i]!;
      if (d.kind !== 'Struct' && d.kind !== 'Union' && d.kind !== 'Exception') continue;
      for (let f = 0; f < d.fields.length; f++) {
        const def = { ...d, fields: d.fields.filter((_, j) => j !== f) };
        yield withPrograms((ps) => ps.set(name, replaceDef(p, i, def)));
      }
      for (let f = 0; f < d.fields.length; f++) {
        if (d.fields[f]!.defaultValue === undefined) continue;
        const fields = d.fields.map((x, j) => (j === f ? { ...x, defaultValue: undefined } : x));
        yield withPrograms((ps) => ps.set(name, replaceDef(p, i, { ...d, fields })));
      }
    }
  }
  // 5. The value: a field of an object, an element of an array (sets, maps and lists included).
  for (const value of jsonEdits(c.value)) yield { ...c, value };
}

function replaceDef(p: ast.Program, i: number, d: ast.Definition): ast.Program {
  return { ...p, definitions: p.definitions.map((x, j) => (j === i ? d : x)) };
}

/** Every JSON value one removal smaller than `j` (an object key or an array element). */
function* jsonEdits(j: Json): Generator<Json> {
  if (Array.isArray(j)) {
    for (let i = 0; i < j.length; i++) yield j.filter((_, k) => k !== i);
    for (let i = 0; i < j.length; i++)
      for (const x of jsonEdits(j[i]!)) yield j.map((y, k) => (k === i ? x : y));
  } else if (typeof j === 'object' && j !== null) {
    const keys = Object.keys(j);
    // Tagged scalars and containers ($i64, $set, $map, …) keep their one key.
    const tagged = keys.length === 1 && keys[0]!.startsWith('$');
    if (!tagged)
      for (const k of keys)
        yield Object.fromEntries(keys.filter((x) => x !== k).map((x) => [x, j[x]!]));
    for (const k of keys) for (const x of jsonEdits(j[k]!)) yield { ...j, [k]: x };
  }
}
