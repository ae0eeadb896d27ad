/**
 * The RPC layer (`thrift-conform/rpc`): a Thrift client and server over TCP with the framed or
 * buffered transport, strict or non-strict envelopes, on modules compiled by the codec; and
 * Thrift over TChannel (TChannelServer, TChannelClient; docs/tchannel.md).
 */
export * from './client.js';
export * from './server.js';
export * from './transport.js';
export {
  ChecksumType,
  ErrorCode as TChannelErrorCode,
  TCHANNEL_SERVER_DEFAULTS,
  TChannelClient,
  TChannelError,
  TChannelProtocolError,
  TChannelServer,
} from './tchannel/index.js';
export type {
  TChannelCallOptions,
  TChannelClientOptions,
  TChannelHandler,
  TChannelRequest,
  TChannelResponse,
  TChannelServerLimits,
  TChannelServerOptions,
} from './tchannel/index.js';
