/**
 * The Thrift arg scheme of TChannel (uber/tchannel docs/thrift.md, `as=thrift`): arg1 is
 * `Service::method`, arg2 the application headers `nh:2 (k~2 v~2){nh}`, arg3 the Thrift struct
 * in the binary protocol without an envelope (the args struct of a call; the result struct of a
 * reply: field 0 for success or the field of the declared exception raised).
 */
import { PayloadCursor, PayloadWriter } from './frames.js';
import type { Headers } from './frames.js';

/** Application headers as arg2 bytes. Throws RangeError for a key or value over 65,535 bytes. */
export function encodeAppHeaders(headers: Headers): Uint8Array {
  const entries = Object.entries(headers);
  if (entries.length > 0xffff)
    throw new RangeError(`${entries.length} application headers; at most 65,535`);
  const w = new PayloadWriter().u16(entries.length);
  for (const [k, v] of entries)
    w.text(k, 2, `application header key ${k}`).text(v, 2, `application header ${k}`);
  return w.done();
}

/**
 * Reads arg2 as application headers. An empty arg2 is no headers (what some clients send).
 * Throws TChannelProtocolError naming the header and the byte offset within arg2 when a size is
 * larger than what is left or a text is not UTF-8.
 */
export function decodeAppHeaders(arg2: Uint8Array): Headers {
  if (arg2.length === 0) return {};
  const c = new PayloadCursor(arg2, 'arg2 (application headers)', undefined, 0, 'arg2');
  const nh = c.u16('nh');
  if (nh * 4 > c.left)
    c.fail('nh', `${nh} headers need at least ${nh * 4} bytes but only ${c.left} remain in arg2`);
  const headers: Headers = {};
  for (let i = 0; i < nh; i++) {
    const k = c.text(`headers[${i}].key`, c.u16(`headers[${i}].key length`));
    headers[k] = c.text(`headers[${k}]`, c.u16(`headers[${k}] length`));
  }
  c.end();
  return headers;
}

/** Splits arg1 `Service::method`; undefined when it is not of that form. */
export function splitEndpoint(arg1: string): { service: string; method: string } | undefined {
  const m = /^([^:]+)::([^:]+)$/.exec(arg1);
  return m === null ? undefined : { service: m[1]!, method: m[2]! };
}
