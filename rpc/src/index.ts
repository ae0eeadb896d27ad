/**
 * The RPC layer (`thrift-conform/rpc`): a Thrift client and server over TCP with the framed or
 * buffered transport, strict or non-strict envelopes, on modules compiled by the codec.
 */
export * from './client.js';
export * from './server.js';
export * from './transport.js';
