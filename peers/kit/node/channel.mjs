/**
 * The peer control channel for Node peers: length-prefixed JSON over stdin/stdout
 * (peers/README.md, "Framing"). Each message is a 4-byte big-endian unsigned length followed by
 * that many bytes of UTF-8 JSON (one object). stdout carries nothing else: importing this module
 * points process.stdout.write at stderr (the channel keeps the real one).
 *
 * Requests are answered one at a time, in order (an op may be async; the next request waits).
 * `batch` is handled here for every peer: its sub-requests run through the same ops, in order.
 */
import { Buffer } from 'node:buffer';

// stdout carries nothing but control messages: everything else that writes to it (console.log,
// a library's logger that captured console.log at load time) goes to stderr. Done when this
// module is imported, i.e. before the peer loads its library.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

/**
 * Largest control message accepted or sent (bytes of JSON). A longer length prefix is answered
 * at once with BadRequest and the peer exits with EXIT_DESYNCED: the bytes that follow cannot be
 * told apart from the next message, and waiting for 4 GiB that never come would hang the harness.
 */
export const MAX_CONTROL_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Exit code after a length prefix over MAX_CONTROL_MESSAGE_BYTES. */
export const EXIT_DESYNCED = 2;

/** An expected failure of an op, answered as ok:false with this `type`. */
export class PeerError extends Error {
  /**
   * @param {string} type the error type of peers/README.md (BadRequest, EncodeError, ...)
   * @param {string} message what went wrong
   * @param {unknown} [cause] the library's original error, if any
   */
  constructor(type, message, cause) {
    super(message);
    this.type = type;
    this.cause = cause;
  }
}

/**
 * The `error` object of a failed answer.
 * @param {string} type
 * @param {string} message
 * @param {unknown} [err] an error whose stack is added as `traceback`
 * @returns {{type: string, message: string, traceback?: string}}
 */
export function errorBody(type, message, err) {
  const body = { type, message };
  if (err instanceof Error && typeof err.stack === 'string') body.traceback = err.stack;
  return body;
}

/**
 * Turns anything an op threw into an error body: PeerError keeps its type, anything else is
 * named by its class (like the Python peers' `type(e).__name__`).
 * @param {unknown} e
 * @returns {{type: string, message: string, traceback?: string}}
 */
export function errorOf(e) {
  if (e instanceof PeerError) return errorBody(e.type, e.message, e.cause ?? e);
  if (e instanceof Error)
    return errorBody(e.constructor?.name || 'Error', e.message || String(e), e);
  return errorBody('Error', String(e));
}

/**
 * Runs one parsed request through `ops`; never throws. The result has no `id` (the caller adds it).
 * @param {Record<string, (req: object) => unknown>} ops
 * @param {unknown} req
 * @param {boolean} nested true inside a batch (a batch does not nest)
 * @returns {Promise<object>} `{ok: true, ...}` or `{ok: false, error}`
 */
async function runOne(ops, req, nested) {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    return { ok: false, error: errorBody('BadRequest', 'a request must be a JSON object') };
  }
  const op = req.op;
  if (op === 'batch' && !nested) return runBatch(ops, req);
  const fn =
    typeof op === 'string' && op !== 'batch' && Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (fn === undefined) {
    const known = [...Object.keys(ops), 'batch'].sort();
    return {
      ok: false,
      error: errorBody('UnknownOp', `unknown op ${JSON.stringify(op)}; known: ${known.join(', ')}`),
    };
  }
  try {
    const result = await fn(req);
    return { ok: true, ...(result ?? {}) };
  } catch (e) {
    return { ok: false, error: errorOf(e) };
  }
}

/**
 * The `batch` op: runs `requests` in order, each answered as if it had been sent alone.
 * @param {Record<string, (req: object) => unknown>} ops
 * @param {{requests?: unknown}} req
 * @returns {Promise<object>}
 */
async function runBatch(ops, req) {
  if (!Array.isArray(req.requests)) {
    return {
      ok: false,
      error: errorBody('BadRequest', 'batch: missing parameter "requests" (an array)'),
    };
  }
  const responses = [];
  for (const sub of req.requests) responses.push(await runOne(ops, sub, true));
  return { ok: true, responses };
}

/**
 * Frames one response: 4-byte length + JSON. An unencodable or too large answer becomes an
 * InternalError answer.
 * @param {object} resp
 * @returns {Buffer}
 */
function frame(resp) {
  let text;
  try {
    text = JSON.stringify(resp);
  } catch (e) {
    text = JSON.stringify({
      id: resp.id ?? null,
      ok: false,
      error: errorBody('InternalError', `unencodable response: ${e}`),
    });
  }
  let payload = Buffer.from(text, 'utf8');
  if (payload.length > MAX_CONTROL_MESSAGE_BYTES) {
    payload = Buffer.from(
      JSON.stringify({
        id: resp.id ?? null,
        ok: false,
        error: errorBody('InternalError', 'response too large'),
      }),
    );
  }
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/**
 * Writes to stdout and resolves once the bytes are handed to the OS (so `shutdown` can exit).
 * @param {Buffer} data
 * @returns {Promise<void>}
 */
function writeOut(data) {
  return new Promise((resolve) => {
    writeStdout(data, () => resolve());
  });
}

/**
 * Serves the control channel until `shutdown` or EOF on stdin, then exits the process with 0.
 * @param {Record<string, (req: object) => unknown>} ops the peer's ops by name (without batch)
 * @param {(msg: string) => void} log writes a line to stderr
 * @returns {void}
 */
export function runChannel(ops, log) {
  process.stdout.on('error', (e) => {
    log(`cannot write to stdout (${e.message}); exiting`);
    process.exit(1);
  });
  /** @type {Buffer[]} */
  let chunks = [];
  let buffered = 0;
  let busy = false;
  let ended = false;

  /** Joins the received chunks into one Buffer. @returns {Buffer} */
  const joined = () => {
    const b = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
    chunks = [b];
    return b;
  };

  /** Handles every complete message received so far, one after the other. @returns {Promise<void>} */
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        if (buffered < 4) break;
        const b = joined();
        const length = b.readUInt32BE(0);
        if (length > MAX_CONTROL_MESSAGE_BYTES) {
          const message = `control message of ${length} bytes exceeds the limit of ${MAX_CONTROL_MESSAGE_BYTES} bytes (MAX_CONTROL_MESSAGE_BYTES; send large values in several requests); the channel cannot find the next message, so the peer exits`;
          log(message);
          await writeOut(frame({ id: null, ok: false, error: errorBody('BadRequest', message) }));
          process.exit(EXIT_DESYNCED);
        }
        if (buffered < 4 + length) break;
        const raw = b.subarray(4, 4 + length);
        chunks = [b.subarray(4 + length)];
        buffered -= 4 + length;
        let req;
        try {
          req = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          await writeOut(
            frame({
              id: null,
              ok: false,
              error: errorBody('BadRequest', `not JSON: ${e.message}`),
            }),
          );
          continue;
        }
        const resp = await runOne(ops, req, false);
        const id = req !== null && typeof req === 'object' && 'id' in req ? req.id : null;
        await writeOut(frame({ id, ...resp }));
        if (req?.op === 'shutdown' && resp.ok) {
          log('shutdown');
          process.exit(0);
        }
      }
    } finally {
      busy = false;
    }
    if (ended) {
      log('stdin closed; exiting');
      process.exit(0);
    }
  };

  process.stdin.on('data', (c) => {
    chunks.push(c);
    buffered += c.length;
    void pump();
  });
  process.stdin.on('end', () => {
    ended = true;
    if (!busy) void pump();
  });
}
