/**
 * The Node peer kit (`thrift-conform/peer-kit`): what a peer program written in JavaScript needs
 * to speak the control channel of peers/README.md — the channel loop, parameter checks, the IDL
 * work folder, the generic handler rules, the TCP transports and the value conversions.
 */
export * from './channel.mjs';
export * from './handler.mjs';
export * from './net.mjs';
export * from './params.mjs';
export * from './values.mjs';
