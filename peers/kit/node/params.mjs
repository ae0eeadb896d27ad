/**
 * Small helpers every Node peer uses: request parameters, IDL files, logging, the private work
 * directory, loopback checks. The same rules as peers/common/peerkit.py.
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, posix, sep } from 'node:path';
import { isIP } from 'node:net';
import { PeerError } from './channel.mjs';

export const PROTOCOLS = ['binary', 'compact'];
export const ENVELOPES = ['strict', 'nonstrict'];
export const TRANSPORTS = ['framed', 'buffered'];
/** Largest number of IDL files in one load_idl. */
export const MAX_IDL_FILES = 1000;

/**
 * A logger writing `[name +secs] msg` lines to stderr.
 * @param {string} name
 * @returns {(msg: string) => void}
 */
export function makeLogger(name) {
  const start = performance.now();
  return (msg) => {
    process.stderr.write(
      `[${name} +${((performance.now() - start) / 1000).toFixed(3).padStart(8)}s] ${msg}\n`,
    );
  };
}

/**
 * The JSON type name of a value, as the Python peers word it in messages.
 * @param {unknown} v
 * @returns {string}
 */
function jsonTypeName(v) {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return 'str';
}

/**
 * A request parameter of the given JSON kind; missing (or null) is an error unless a default is given.
 * @param {Record<string, unknown>} req
 * @param {string} name
 * @param {'string'|'int'|'bool'|'object'} kind
 * @param {unknown} [dflt] returned when the parameter is missing (pass nothing to require it)
 * @returns {any}
 */
export function param(req, name, kind, ...dflt) {
  const v = req[name];
  if (v === undefined || v === null) {
    if (dflt.length === 0)
      throw new PeerError('BadRequest', `${req.op}: missing parameter '${name}'`);
    return dflt[0];
  }
  const ok =
    kind === 'string'
      ? typeof v === 'string'
      : kind === 'int'
        ? Number.isInteger(v)
        : kind === 'bool'
          ? typeof v === 'boolean'
          : typeof v === 'object' && !Array.isArray(v);
  if (!ok)
    throw new PeerError(
      'BadRequest',
      `${req.op}: parameter '${name}' has the wrong type (${jsonTypeName(v)})`,
    );
  return v;
}

/**
 * A string parameter that must be one of `allowed`.
 * @param {Record<string, unknown>} req
 * @param {string} name
 * @param {readonly string[]} allowed
 * @param {string} dflt
 * @returns {string}
 */
export function choice(req, name, allowed, dflt) {
  const v = param(req, name, 'string', dflt);
  if (!allowed.includes(v)) {
    throw new PeerError(
      'BadRequest',
      `${req.op}: ${name} must be one of ${JSON.stringify(allowed)}, got '${v}'`,
    );
  }
  return v;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 decoding (what Python's b64decode(validate=True) accepts).
 * @param {string} s
 * @returns {Buffer | undefined} undefined when `s` is not valid base64
 */
export function fromBase64(s) {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/**
 * A base64 parameter, decoded.
 * @param {Record<string, unknown>} req
 * @param {string} name
 * @returns {Buffer}
 */
export function b64param(req, name) {
  const b = fromBase64(param(req, name, 'string'));
  if (b === undefined) throw new PeerError('BadRequest', `${req.op}: ${name} is not valid base64`);
  return b;
}

/** This process's private temporary directory (removed at exit). */
export class WorkDir {
  /** @param {string} prefix */
  constructor(prefix) {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.count = 0;
    process.on('exit', () => rmSync(this.root, { recursive: true, force: true }));
  }

  /**
   * A new empty directory inside the work dir.
   * @param {string} label
   * @returns {string}
   */
  newDir(label) {
    this.count += 1;
    const path = join(this.root, `${label}${this.count}`);
    mkdirSync(path, { recursive: true });
    return path;
  }
}

/**
 * Thrift IDL tokens as Apache's lexer cuts them (string literals without escapes) and as
 * escape-aware lexers do: comments, literals, identifiers, any other character.
 */
const IDL_TOKENS = [false, true].map(
  (escapes) =>
    new RegExp(
      String.raw`\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|` +
        (escapes
          ? String.raw`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'`
          : String.raw`"[^"]*"|'[^']*'`) +
        String.raw`|[A-Za-z_][A-Za-z0-9_.]*|\S`,
      'g',
    ),
);

/**
 * The file names of every `include "…"` in an IDL text, as either kind of lexer reads it
 * (comments skipped), so that no include a library would follow is missed.
 * @param {string} text
 * @returns {string[]}
 */
export function idlIncludes(text) {
  const found = new Set();
  for (const pattern of IDL_TOKENS) {
    const tokens = text.match(pattern) ?? [];
    for (let i = 0; i + 1 < tokens.length; i++) {
      const next = tokens[i + 1];
      if (
        tokens[i] === 'include' &&
        next.length >= 2 &&
        `"'`.includes(next[0]) &&
        next.at(-1) === next[0]
      )
        found.add(next.slice(1, -1));
    }
  }
  return [...found];
}

/**
 * Refuses an IDL set whose includes could reach a file the harness did not send: an include is
 * resolved from the including file's folder (then the entry's); it must be relative, without
 * backslashes, never climb out of the set's root, and name one of the files. Throws PeerError
 * BadRequest for an include that is absolute or climbs out, IdlError for one that names no file
 * of the set (what the compiler would have said).
 * @param {Record<string, string>} files
 * @param {string} entry
 * @returns {void}
 */
export function checkIncludes(files, entry) {
  const names = new Set(Object.keys(files).map((f) => posix.normalize(f)));
  const entryDir = posix.dirname(posix.normalize(entry));
  for (const [rel, text] of Object.entries(files)) {
    const base = posix.dirname(posix.normalize(rel));
    for (const inc of idlIncludes(text)) {
      const where = `load_idl: '${rel}' includes '${inc}'`;
      if (!inc || inc.includes('\\') || inc.includes('\0') || inc.startsWith('/'))
        throw new PeerError(
          'BadRequest',
          `${where}: an include must be a relative path without backslashes, to one of the files sent`,
        );
      let found = false;
      for (const folder of new Set([base, entryDir])) {
        const target = posix.normalize(posix.join(folder, inc));
        if (target === '..' || target.startsWith('../'))
          throw new PeerError(
            'BadRequest',
            `${where}, which climbs out of the files sent; an include must name one of them`,
          );
        if (names.has(target)) {
          found = true;
          break;
        }
      }
      if (!found)
        throw new PeerError(
          'IdlError',
          `${where}, which is not one of the files sent: ${[...names].sort().join(', ')}`,
        );
    }
  }
}

/**
 * Writes req.files under root (relative paths only); returns the absolute path of req.entry.
 * Throws PeerError for a file name that is absolute or climbs out, and for includes that could
 * reach outside the files sent (see checkIncludes).
 * @param {string} root
 * @param {Record<string, unknown>} req
 * @returns {string}
 */
export function writeIdlFiles(root, req) {
  const files = param(req, 'files', 'object');
  const entry = param(req, 'entry', 'string');
  const names = Object.keys(files);
  if (names.length === 0 || names.length > MAX_IDL_FILES) {
    throw new PeerError('BadRequest', `load_idl: files must hold 1..${MAX_IDL_FILES} entries`);
  }
  if (!Object.hasOwn(files, entry))
    throw new PeerError('BadRequest', `load_idl: entry '${entry}' is not one of the files`);
  for (const rel of names) {
    const text = files[rel];
    if (typeof text !== 'string')
      throw new PeerError('BadRequest', `load_idl: the source of '${rel}' is not a string`);
    const norm = normalize(rel);
    if (
      !rel ||
      rel.includes('\0') ||
      isAbsolute(rel) ||
      norm === '..' ||
      norm.startsWith(`..${sep}`)
    ) {
      throw new PeerError('BadRequest', `load_idl: bad relative path '${rel}'`);
    }
  }
  checkIncludes(files, entry);
  for (const rel of names) {
    const text = files[rel];
    const path = join(root, normalize(rel));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, 'utf8');
  }
  return join(root, normalize(entry));
}

/**
 * Only loopback addresses may be contacted; returns the address to connect to.
 * @param {string} host
 * @returns {string}
 */
export function checkHost(host) {
  if (host === 'localhost') return '127.0.0.1';
  const v = isIP(host);
  if (v === 0)
    throw new PeerError(
      'BadRequest',
      `host '${host}' is not an IP address; only loopback is allowed`,
    );
  const loopback = v === 4 ? host.startsWith('127.') : host === '::1' || /^(0*:)*:?0*1$/.test(host);
  if (!loopback)
    throw new PeerError(
      'BadRequest',
      `host ${host} is not a loopback address; peers only talk to 127.0.0.1`,
    );
  return host;
}

/**
 * The transport parameter (default framed); an unknown one is Unsupported.
 * @param {Record<string, unknown>} req
 * @returns {'framed'|'buffered'}
 */
export function transportOf(req) {
  const t = param(req, 'transport', 'string', 'framed');
  if (!TRANSPORTS.includes(t))
    throw new PeerError(
      'Unsupported',
      `transport '${t}'; supported: ${JSON.stringify(TRANSPORTS)}`,
    );
  return t;
}

/**
 * The port parameter of `call`/`stop`.
 * @param {Record<string, unknown>} req
 * @returns {number}
 */
export function portOf(req) {
  const port = param(req, 'port', 'int');
  if (port <= 0 || port >= 65536) throw new PeerError('BadRequest', `bad port ${port}`);
  return port;
}
