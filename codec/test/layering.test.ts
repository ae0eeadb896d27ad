// The codec's stages depend one way (DESIGN.md): idl → compile → schema; protocol → wire; only
// encode/decode join schema and protocol; node:* only under codec/src/node/; no npm packages at
// run time; everything outside codec/ imports the codec only through codec/src/index.ts.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'codec/src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'node_modules' || n.startsWith('.') || n === 'dist') return [];
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every import/export specifier in a file (static and dynamic). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** The layer of a file under codec/src: its first folder, or its file name for top-level files. */
function layer(file: string): string {
  const rel = relative(src, file).split('/');
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

/** Which layers each layer may import (itself is always allowed). */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  util: [],
  idl: ['errors'],
  compile: ['idl', 'schema', 'errors', 'util'],
  schema: ['idl', 'errors', 'util'],
  wire: ['errors'],
  protocol: ['wire', 'errors', 'util'],
  encode: ['schema', 'protocol', 'wire', 'errors', 'util'],
  decode: ['schema', 'protocol', 'wire', 'errors', 'util', 'encode'],
  module: ['schema', 'protocol', 'wire', 'errors', 'util', 'encode', 'decode'],
  node: ['compile', 'schema', 'errors', 'module', 'util'],
  index: ['compile', 'schema', 'idl', 'errors', 'module', 'node', 'wire', 'protocol', 'util'],
};

void t.test('codec stages import one way', async (t) => {
  const files = walk(src);
  t.ok(files.length > 10, `found ${files.length} source files`);
  const violations: string[] = [];
  for (const f of files) {
    const from = layer(f);
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      violations.push(`${relative(root, f)}: layer '${from}' is not in the layering table`);
      continue;
    }
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (spec.startsWith('node:')) {
        if (from !== 'node')
          violations.push(`${relative(root, f)}: imports ${spec} outside codec/src/node/`);
        continue;
      }
      if (!spec.startsWith('.')) {
        violations.push(
          `${relative(root, f)}: imports the package '${spec}' (the codec has no runtime dependencies)`,
        );
        continue;
      }
      const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src + '/')) {
        violations.push(`${relative(root, f)}: imports ${spec}, outside codec/src`);
        continue;
      }
      const to = layer(target);
      if (to !== from && !allowed.includes(to)) {
        violations.push(`${relative(root, f)}: ${from} → ${to} (${spec}) crosses the wrong way`);
      }
    }
  }
  t.same(violations, [], violations.join('\n'));
});

void t.test('code outside the codec imports it only through codec/src/index.ts', async (t) => {
  const dirs = ['harness', 'bench', 'baselines', 'rpc', 'scripts', 'examples'].map((d) =>
    join(root, d),
  );
  const violations: string[] = [];
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = walk(d);
    } catch {
      continue;
    }
    for (const f of files) {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
        if (target.startsWith(src + '/') && target !== join(src, 'index.ts')) {
          violations.push(`${relative(root, f)}: imports ${spec}; use codec/src/index.ts`);
        }
      }
    }
  }
  t.same(violations, [], violations.join('\n'));
});

void t.test(
  'the import scanner sees every import form (so the layering check can fail)',
  async (t) => {
    const text = `import a from './a.js';\nimport type { B } from "../b.js";\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';`;
    t.same(importsOf(text), ['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  },
);
