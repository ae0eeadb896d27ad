/**
 * TChannel for Thrift (`thrift-conform/rpc`): {@link TChannelServer} and {@link TChannelClient},
 * the frame codec, checksums and errors. docs/tchannel.md says what subset of the protocol is
 * implemented; docs/rpc-limits.md lists the limits.
 */
export * from './checksum.js';
export * from './client.js';
export * from './errors.js';
export * from './frames.js';
export * from './server.js';
export * from './thrift-args.js';
