// TChannel checksums: CRC-32 and CRC-32C against published check values, chaining (a frame's
// checksum seeded with the previous frame's equals the checksum of the bytes joined, which is how
// npm tchannel 4.0.1 and tchannel-py 2.1.0 chain them), farmhash Fingerprint32 against values of
// npm farmhash 3.3.1 and as npm tchannel chains it, and the refusal of an unknown type.
import t from 'tap';
import {
  checksum,
  checksumName,
  ChecksumType,
  crc32,
  crc32c,
  fingerprint32,
  UnsupportedChecksumError,
} from '../../src/tchannel/checksum.js';

const ascii = (s: string) => new TextEncoder().encode(s);

void t.test('CRC-32 and CRC-32C check values', async (t) => {
  // "123456789": the check values of CRC-32/ISO-HDLC and CRC-32/ISCSI in the CRC catalogue
  // (reveng.sourceforge.io/crc-catalogue).
  t.equal(crc32(ascii('123456789')), 0xcbf43926, 'CRC-32 check value');
  t.equal(crc32c(ascii('123456789')), 0xe3069283, 'CRC-32C check value');
  // RFC 3720 (iSCSI) appendix B.4: 32 bytes of 0x00, of 0xff, and 0x00..0x1f.
  t.equal(crc32c(new Uint8Array(32)), 0x8a9136aa, 'RFC 3720 B.4: 32 zero bytes');
  t.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43, 'RFC 3720 B.4: 32 0xff bytes');
  t.equal(
    crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)),
    0x46dd794e,
    'RFC 3720 B.4: incrementing bytes',
  );
  t.equal(crc32(new Uint8Array(0)), 0, 'the CRC of nothing is 0');
});

void t.test('chaining equals the checksum of the bytes joined', async (t) => {
  const a = ascii('hello');
  const b = ascii(' world');
  t.equal(crc32(b, crc32(a)), crc32(ascii('hello world')));
  t.equal(crc32c(b, crc32c(a)), crc32c(ascii('hello world')));
  // The args of the golden call req of frames.test.ts; the values were computed with npm crc
  // 3.8.0 and sse4_crc32 6.0.1 (the libraries npm tchannel 4.0.1 uses), chained arg by arg.
  const args = [
    ascii('KeyValue::get'),
    Uint8Array.of(0, 0),
    Uint8Array.of(0x0b, 0, 1, 0, 0, 0, 1, 0x61, 0),
  ];
  t.equal(checksum(ChecksumType.Crc32c, args), 0x56960366, 'crc32c as sse4_crc32 gives it');
  t.equal(checksum(ChecksumType.Crc32, args), 0xde016700, 'crc32 as npm crc gives it');
  t.equal(checksum(ChecksumType.None, args), 0, 'none is 0');
  t.equal(
    checksum(ChecksumType.Crc32c, args.slice(1), crc32c(args[0]!)),
    0x56960366,
    'seeded with the previous frame',
  );
});

void t.test('farmhash Fingerprint32, as npm tchannel chains it', async (t) => {
  // Values of npm farmhash 3.3.1's fingerprint32 (Google farmhash), one input per code path of
  // the hash: up to 4 bytes, 5-12, 13-24, longer (one and two 20-byte blocks). Beyond these,
  // 2,400 inputs of 0 to 599 random bytes gave the same values as npm farmhash (checked by hand).
  const vectors: [Uint8Array, number][] = [
    [ascii(''), 3696677242],
    [ascii('a'), 1016544589],
    [ascii('hello'), 2039911270],
    [new Uint8Array(30).fill(7), 354839028],
    [ascii('0123456789012345678901234'), 3680459729],
    [ascii('The quick brown fox jumps over the lazy dog'), 3969483552],
  ];
  for (const [bytes, want] of vectors) t.equal(fingerprint32(bytes), want, `${bytes.length} bytes`);
  // npm tchannel calls fingerprint32(piece, prior) per piece and farmhash ignores `prior`: the
  // frame's checksum is the fingerprint of its last piece.
  t.equal(
    checksum(ChecksumType.Farmhash32, [ascii('a'), ascii('hello')], 12345),
    2039911270,
    'the last piece alone',
  );
  t.equal(checksum(ChecksumType.Farmhash32, [], 77), 77, "no piece: the previous frame's");
});

void t.test('a checksum type we do not know is refused, not skipped', async (t) => {
  t.throws(() => checksum(9, [ascii('x')]), UnsupportedChecksumError);
  t.throws(() => checksum(9, [ascii('x')]), {
    message:
      /checksum type 9 \(unknown type 9\) is not supported: send none \(0\), crc32 \(1\), farmhash \(2\) or crc32c \(3\)/,
  });
  t.equal(checksumName(2), 'farmhash Fingerprint32');
});
