/**
 * The harness as a library (`thrift-conform/harness`): find and start peers from their manifests,
 * run the generated and corpus cases against them, and write the reports — what the
 * `thrift-conform` command does, for programs that drive it themselves.
 */
export { discoverPeers, startPeers } from './peers/registry.js';
export type { Backend, PeerRegistry } from './peers/registry.js';
export type { Peer, PeerInfo } from './peers/peer.js';
export { PeerError } from './peers/peer.js';
export { DEFAULT_RUNS, runCases } from './runner/run.js';
export type { CaseSelection, RunCasesOptions, RunOutcome } from './runner/run.js';
export type { CaseResult, RunReport, Verdict } from './runner/result.js';
export { loadKnownFailuresFor, readerOf } from './runner/known-failures.js';
export { listBundles, readBundle } from './runner/bundle.js';
export { replayBundle } from './runner/replay.js';
export { ALL_FORMATS, runReporter, writeReports } from './report/index.js';
export { ROOT, VERSION } from './root.js';
