import t from 'tap';
import { ValidationError, ProtocolError } from '../src/errors.js';

void t.test('errors carry their name and path', async (t) => {
  const e = new ValidationError('User.name', 'is required');
  t.equal(e.name, 'ValidationError');
  t.match(e.message, /User\.name: is required/);
  const p = new ProtocolError('bad', 7, 'User.x');
  t.match(p.message, /cannot decode User\.x: bad at byte 7/);
});
