// TChannel error codes and the messages of TChannelError: the code's name and number first.
import t from 'tap';
import {
  ErrorCode,
  errorCodeName,
  TChannelError,
  TChannelProtocolError,
} from '../../src/tchannel/errors.js';

void t.test('error codes and messages', async (t) => {
  t.equal(errorCodeName(ErrorCode.BadRequest), 'BadRequest');
  t.equal(errorCodeName(0xff), 'FatalProtocolError');
  t.equal(errorCodeName(0x42), 'unknown code 0x42');
  const e = new TChannelError(ErrorCode.Timeout, 'too slow', 7);
  t.equal(e.message, 'Timeout (0x01): too slow');
  t.same([e.name, e.code, e.text, e.id], ['TChannelError', 1, 'too slow', 7]);
  const p = new TChannelProtocolError('bad', 3);
  t.same([p.name, p.id, p instanceof Error], ['TChannelProtocolError', 3, true]);
});
