package thriftconform;

/** An expected failure of an op, answered as ok:false with this `type` (peers/README.md). */
final class PeerError extends Exception {
  final String type;

  PeerError(String type, String message) {
    super(message);
    this.type = type;
  }

  PeerError(String type, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
  }
}
