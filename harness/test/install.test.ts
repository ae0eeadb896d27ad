// The package as a user installs it: `npm pack` (which builds dist/), the tarball installed into
// an empty project that cannot see the repository's sources, then `npx thrift-conform --help`,
// `list`, `setup` of one peer and a short `run` there, the codec and every subpath imported by
// the package's name, and the documented property-test example (examples/property-test/).
// Measured here: pack ~16 s (the build), install ~30 s with a warm npm cache, the rest ~10 s.
import t from 'tap';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const version = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
).version;

/** Runs a command in `cwd`; resolves with its exit code and output (never rejects on exit codes). */
async function sh(
  cwd: string,
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(file, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof x.code === 'number' ? x.code : 1,
      out: `${x.stdout ?? ''}${x.stderr ?? ''}${x.message}`,
    };
  }
}

void t.test('packed, installed into an empty project, and run there', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tc-install-'));
  const pack = await sh(root, 'npm', ['pack', '--pack-destination', base, '--silent']);
  t.equal(pack.code, 0, 'npm pack (builds dist/ first)');
  const tarball = join(base, `thrift-conform-${version}.tgz`);
  t.ok(existsSync(tarball), 'the tarball');
  const project = join(base, 'project');
  await sh(base, 'mkdir', [project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'module', private: true }),
  );
  const install = await sh(project, 'npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    tarball,
  ]);
  t.equal(install.code, 0, `npm install of the tarball\n${install.out.slice(-2000)}`);
  const env = { THRIFT_CONFORM_STATE: join(base, 'state') };
  const npx = (args: string[]) =>
    sh(project, 'npx', ['--no-install', 'thrift-conform', ...args], env);

  const help = await npx(['--help']);
  t.equal(help.code, 0, 'npx thrift-conform --help');
  t.match(help.out, `thrift-conform ${version}`, 'one version, from package.json');

  const list = await npx(['list']);
  t.equal(list.code, 0, 'list');
  t.match(list.out, /^thriftrw-js +yes +javascript +thriftrw 3\.12\.0/m, 'a table of the peers');

  const setup = await npx(['setup', '--peers', 'thriftrw-js']);
  t.equal(setup.code, 0, `setup of one peer, from the tool\n${setup.out.slice(-1000)}`);
  const run = await npx([
    'run',
    '--peers',
    'thriftrw-js',
    '--seed',
    '7',
    '--runs',
    '2',
    '--values',
    '2',
    '--no-shrink',
    '--report-dir',
    'out',
  ]);
  t.equal(run.code, 0, `a short run\n${run.out.slice(-1500)}`);
  t.match(run.out, /thriftrw-js [\d.]+: \d+ cases/);
  for (const f of ['report.json', 'junit.xml', 'summary.md', 'report.html'])
    t.ok(existsSync(join(project, 'out', f)), `${f} written in the user's project`);

  const codec = await sh(project, 'node', [
    '--input-type=module',
    '-e',
    "import { compile } from 'thrift-conform'; const m = compile('struct A { 1: required i32 a }'); process.stdout.write(Buffer.from(m.dumps(new m.A({ a: 1 }))).toString('hex'));",
  ]);
  t.equal(codec.out, '0800010000000100', 'the codec by its package name');
  const subpaths = await sh(project, 'node', [
    '--input-type=module',
    '-e',
    "const a = await import('thrift-conform/arbitraries'); const r = await import('thrift-conform/rpc'); const h = await import('thrift-conform/harness'); const k = await import('thrift-conform/peer-kit'); process.stdout.write([typeof a.idlArb, typeof r.ThriftClient, typeof h.runCases, typeof k.runChannel].join(' '));",
  ]);
  t.equal(subpaths.out, 'function function function function', 'every subpath export loads');
  // The documented example of a property test of one's own, as a user would run it.
  copyFileSync(
    join(root, 'examples', 'property-test', 'roundtrip.mjs'),
    join(project, 'roundtrip.mjs'),
  );
  const example = await sh(project, 'node', ['roundtrip.mjs']);
  t.equal(example.code, 0, `examples/property-test/roundtrip.mjs\n${example.out.slice(-1000)}`);
  t.match(example.out, /200 values of User round-tripped/);
});
