/**
 * Shape checks of what the report files hold, so a reader says what is wrong and where (a field
 * path) instead of failing later on a field of the wrong type. Each returns undefined when the
 * value has the shape, else one line saying what is wrong. The published JSON Schemas
 * (`schemas/*.json`) say the same in full.
 */
import type { Verdict } from '../runner/result.js';
import { VERDICTS } from './text.js';

type Problem = string | undefined;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function kind(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : `a ${typeof x}`;
}

/** `where.key` is a string (or absent when optional). */
function str(o: Record<string, unknown>, key: string, where: string, optional = false): Problem {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  return typeof v === 'string' ? undefined : `${where}.${key} is ${kind(v)}, not a string`;
}

function num(o: Record<string, unknown>, key: string, where: string, optional = false): Problem {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  return typeof v === 'number' ? undefined : `${where}.${key} is ${kind(v)}, not a number`;
}

function arr(o: Record<string, unknown>, key: string, where: string, optional = false): Problem {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  return Array.isArray(v) ? undefined : `${where}.${key} is ${kind(v)}, not an array`;
}

function first(...problems: (() => Problem)[]): Problem {
  for (const p of problems) {
    const found = p();
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What is wrong with an IDL map (file → text), or undefined. Never throws. */
export function idlProblem(x: unknown, where: string): Problem {
  if (!isObject(x)) return `${where} is ${kind(x)}, not an object of file texts`;
  for (const [k, v] of Object.entries(x))
    if (typeof v !== 'string') return `${where}[${JSON.stringify(k)}] is ${kind(v)}, not a string`;
  return undefined;
}

/** What is wrong with a CaseResult, or undefined (the fields readers rely on). Never throws. */
export function resultProblem(x: unknown, where = 'result'): Problem {
  if (!isObject(x)) return `${where} is ${kind(x)}, not an object`;
  return first(
    () => str(x, 'name', where),
    () => str(x, 'peer', where),
    () => str(x, 'protocol', where),
    () => str(x, 'property', where),
    () =>
      VERDICTS.includes(x.verdict as Verdict)
        ? undefined
        : `${where}.verdict is ${JSON.stringify(x.verdict)}, not one of ${VERDICTS.join(', ')}`,
    () => str(x, 'summary', where),
    () => num(x, 'durationMs', where),
    () => str(x, 'fingerprint', where, true),
    () => str(x, 'knownEntry', where, true),
    () => arr(x, 'byteDiff', where, true),
    () => arr(x, 'valueDiff', where, true),
    () => (x.idl === undefined ? undefined : idlProblem(x.idl, `${where}.idl`)),
    () =>
      x.shrunk === undefined
        ? undefined
        : !isObject(x.shrunk)
          ? `${where}.shrunk is ${kind(x.shrunk)}, not an object`
          : first(
              () => idlProblem((x.shrunk as Record<string, unknown>).idl, `${where}.shrunk.idl`),
              () => str(x.shrunk as Record<string, unknown>, 'valueJson', `${where}.shrunk`),
              () => str(x.shrunk as Record<string, unknown>, 'summary', `${where}.shrunk`),
            ),
  );
}

/** What is wrong with `where.tool` (`{ name, version }`), or undefined. */
function toolProblem(tool: unknown, where: string): Problem {
  return isObject(tool) && typeof tool.name === 'string' && typeof tool.version === 'string'
    ? undefined
    : `${where}.tool is not { name, version }`;
}

/**
 * What is wrong with the run-level fields of a report (everything but its results), or
 * undefined. Never throws.
 */
export function reportFieldsProblem(x: unknown, where = 'report'): Problem {
  if (!isObject(x)) return `${where} is ${kind(x)}, not an object`;
  return first(
    () => toolProblem(x.tool, where),
    () => str(x, 'startedAt', where),
    () => num(x, 'durationMs', where),
    () => num(x, 'seed', where),
    () => str(x, 'command', where),
    () => arr(x, 'peers', where),
    () => {
      const peers = x.peers as unknown[];
      for (let i = 0; i < peers.length; i++) {
        const p = peers[i];
        const at = `${where}.peers[${i}]`;
        if (!isObject(p)) return `${at} is ${kind(p)}, not an object`;
        const bad = first(
          () => str(p, 'name', at),
          () => str(p, 'version', at),
          () => num(p, 'cases', at),
          () => num(p, 'startMs', at),
          () => num(p, 'casesPerSecond', at),
        );
        if (bad) return bad;
      }
      return undefined;
    },
    () => arr(x, 'staleKnownFailures', where),
    () => arr(x, 'knownFailures', where, true),
    () => arr(x, 'knownFlaky', where, true),
    () => arr(x, 'harnessErrors', where, true),
    () => num(x, 'schemas', where, true),
    () =>
      x.shard === undefined ||
      (isObject(x.shard) && typeof x.shard.index === 'number' && typeof x.shard.count === 'number')
        ? undefined
        : `${where}.shard is not { index, count }`,
    () =>
      x.exitCode === 0 || x.exitCode === 1 || x.exitCode === 2
        ? undefined
        : `${where}.exitCode is ${JSON.stringify(x.exitCode)}, not 0, 1 or 2`,
  );
}

/** What is wrong with a run's start meta, or undefined. Never throws. */
export function metaProblem(x: unknown, where = 'meta'): Problem {
  if (!isObject(x)) return `${where} is ${kind(x)}, not an object`;
  return first(
    () => toolProblem(x.tool, where),
    () => str(x, 'startedAt', where),
    () => num(x, 'seed', where),
    () => str(x, 'command', where),
    () => arr(x, 'peers', where, true),
  );
}
