/**
 * Builds the container images of peers from their manifests: `docker build --network host` (apt
 * inside builds needs the host's network) with `BASE_IMAGE` as a build argument, from a context
 * that holds exactly the manifest's `container.inputs`, tagged with the content hash that
 * container.ts computes. An image whose tag exists is never built again; older tags of the same
 * peer are removed after a build. Nothing is ever pulled.
 */
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_BASE_IMAGE, PEER_LABEL, peerImageInputs, peerImageTag } from './container.js';
import type { PeerManifest } from './manifest.js';

/** The name the Dockerfile gets inside the build context. */
const CONTEXT_DOCKERFILE = '.thrift-conform.Dockerfile';

/** What happened to one peer's image. */
export interface ImageOutcome {
  readonly peer: string;
  readonly tag: string;
  /** `cached`: the tag existed; `built`; `failed` (then `error` has the log's last lines). */
  readonly status: 'cached' | 'built' | 'failed';
  readonly ms: number;
  readonly error?: string;
}

/** Whether the local Docker daemon has `tag`. Never rejects. */
export async function imageExists(tag: string): Promise<boolean> {
  const r = await execa('docker', ['image', 'inspect', tag], { reject: false });
  return r.exitCode === 0;
}

/**
 * Builds the image of `m` unless its tag exists. `log` gets one line per step. Resolves with the
 * outcome; a failed build is an outcome with the last 30 lines of Docker's output, never a
 * rejection. Throws ManifestError when `m` has no container section.
 */
export async function buildImage(
  m: PeerManifest,
  options: { baseImage?: string; log?: (line: string) => void } = {},
): Promise<ImageOutcome> {
  const base = options.baseImage ?? process.env.BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  const tag = peerImageTag(m, base);
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  if (await imageExists(tag)) return { peer: m.name, tag, status: 'cached', ms: ms() };
  const c = m.container!;
  const ctx = mkdtempSync(join(tmpdir(), `thrift-conform-image-${m.name}-`));
  try {
    for (const f of peerImageInputs(m)) {
      mkdirSync(dirname(join(ctx, f)), { recursive: true });
      copyFileSync(join(c.context, f), join(ctx, f));
    }
    copyFileSync(c.dockerfile, join(ctx, CONTEXT_DOCKERFILE));
    options.log?.(`building ${tag}`);
    const r = await execa(
      'docker',
      [
        'build',
        '--force-rm',
        '--network',
        'host',
        '--build-arg',
        `BASE_IMAGE=${base}`,
        '--label',
        `${PEER_LABEL}=${m.name}`,
        '-t',
        tag,
        '-f',
        join(ctx, CONTEXT_DOCKERFILE),
        ctx,
      ],
      { reject: false, all: true, env: { DOCKER_BUILDKIT: '0' } },
    );
    if (r.exitCode !== 0) {
      const tail = String(r.all ?? '')
        .split('\n')
        .slice(-30)
        .join('\n');
      return { peer: m.name, tag, status: 'failed', ms: ms(), error: tail };
    }
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  // Older builds of this peer are never used again.
  const old = await execa(
    'docker',
    ['images', `thrift-conform/${m.name}`, '--format', '{{.Repository}}:{{.Tag}}'],
    { reject: false },
  );
  for (const t of String(old.stdout).split('\n'))
    if (t !== '' && t !== tag) await execa('docker', ['rmi', t], { reject: false });
  return { peer: m.name, tag, status: 'built', ms: ms() };
}
