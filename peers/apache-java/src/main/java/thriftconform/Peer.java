package thriftconform;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import thriftconform.Types.StructInfo;

/**
 * apache-java peer: Apache Thrift's Java library (org.apache.thrift:libthrift 0.17.0) behind the
 * control channel of peers/README.md (length-prefixed JSON on stdin/stdout).
 */
public final class Peer {
  static final long STARTED = System.nanoTime();
  static final String LIBRARY_VERSION = libraryVersion();
  /** Part of the schema cache key: the hash of the peer's sources that setup.sh (or the image) writes. */
  static final String CODE_VERSION = codeVersion();

  private static String codeVersion() {
    try (java.io.InputStream in = Peer.class.getResourceAsStream("/code-version")) {
      if (in != null) return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      // below
    }
    return "dev-" + STARTED; // unknown build: never share cache entries
  }
  static final int MAX_CONTROL_MESSAGE_BYTES = 256 * 1024 * 1024;
  /** Exit code after a length prefix over MAX_CONTROL_MESSAGE_BYTES. */
  static final int EXIT_DESYNCED = 2;
  static final int MAX_IDL_FILES = 1000;
  static String peerName = "apache-java";
  /** APACHE_JAVA_TRACE=FILE: append every request's op and duration to FILE (for measuring). */
  static final PrintStream TRACE = openTrace(System.getenv("APACHE_JAVA_TRACE"));

  private static PrintStream openTrace(String path) {
    if (path == null || path.isEmpty()) return null;
    try {
      return new PrintStream(new FileOutputStream(path, true), true, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  private static PrintStream stderr;
  private static Schemas schemas;
  private static String compilerVersion;
  private static Path work;
  private static final Map<String, Module> MODULES = new LinkedHashMap<>();

  static final Map<String, Object> ABILITIES = abilities();

  private static Map<String, Object> abilities() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("protocols", List.of("binary", "compact"));
    a.put("transports", List.of("framed", "buffered"));
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("read", List.of("strict", "nonstrict"));
    env.put("write", List.of("strict", "nonstrict"));
    a.put("envelopes", env);
    a.put("dialect", "apache");
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("uuid", false); // the uuid type came with Thrift 0.19/0.20; 0.17's compiler rejects it
    f.put("applicationException", true);
    f.put("unions", true); // TUnion: one field at a time; writing an empty union fails
    f.put("oneway", true);
    f.put("serviceInheritance", true);
    f.put("includes", true);
    f.put("requiredFieldsChecked", false); // read() checks all, but write() (validate) only the non-primitive ones
    f.put("setsOfUnhashable", true); // generated classes have equals/hashCode
    f.put("typedefOfSet", true);
    f.put("implicitFieldIds", true); // fields without ids load and get -1, -2, …
    f.put("scriptedAnswers", true); // the answer/received ops (peers/README.md, "Scripted answers")
    f.put("accelerated", false);
    f.put("unknownEnumValues", false); // a Java enum cannot hold a value the IDL does not declare: read as null
    a.put("features", f);
    return a;
  }

  static void log(String msg) {
    double t = (System.nanoTime() - STARTED) / 1e9;
    stderr.printf("[%s +%8.3fs] %s%n", peerName, t, msg);
    stderr.flush();
  }

  private static String libraryVersion() {
    Package p = TBase.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v != null ? v : "0.17.0";
  }

  public static void main(String[] argv) throws Exception {
    stderr = System.err;
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    System.setOut(System.err); // nothing but control messages may reach the real stdout
    String name = System.getenv("THRIFT_CONFORM_PEER");
    if (name != null && !name.isEmpty()) peerName = name;
    String compiler = System.getenv().getOrDefault("THRIFT_COMPILER", "thrift");
    compilerVersion = thriftVersion(compiler);
    work = Files.createTempDirectory("apache-java-peer-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(work)));
    String cache = System.getProperty("apache_java.cache", System.getenv("APACHE_JAVA_CACHE"));
    Path cacheRoot = cache == null || cache.isEmpty() ? work.resolve("cache") : Paths.get(cache);
    Files.createDirectories(cacheRoot);
    schemas = new Schemas(compiler, compilerVersion, cacheRoot, work);
    log("Apache Thrift Java " + LIBRARY_VERSION + ", compiler " + compilerVersion + ", Java " + System.getProperty("java.version") + "; cache " + cacheRoot);
    int rc = run(new DataInputStream(System.in), out);
    log("exiting (" + rc + "); compile stats " + Json.write(schemas.stats.json()));
    out.flush();
    Runtime.getRuntime().halt(rc == 0 ? finish(0) : rc);
  }

  private static int finish(int rc) {
    deleteTree(work);
    stderr.flush();
    return rc;
  }

  private static String thriftVersion(String compiler) {
    try {
      Process p = new ProcessBuilder(compiler, "--version").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      String[] parts = s.split("\\s+");
      return parts.length == 0 ? "unknown" : parts[parts.length - 1];
    } catch (IOException | InterruptedException e) {
      return "missing";
    }
  }

  // ---- the channel ------------------------------------------------------------------------------

  static int run(DataInputStream in, OutputStream out) {
    while (true) {
      byte[] raw;
      try {
        int len = in.readInt();
        if (Integer.toUnsignedLong(len) > MAX_CONTROL_MESSAGE_BYTES) {
          // Refused at once: waiting for 4 GiB that never come would hang the harness, and the
          // bytes that follow cannot be told apart from the next message, so the peer exits.
          String message = "control message of " + Integer.toUnsignedLong(len) + " bytes exceeds the limit of " + MAX_CONTROL_MESSAGE_BYTES
              + " bytes (MAX_CONTROL_MESSAGE_BYTES; send large values in several requests); the channel cannot find the next message, so the peer exits";
          log(message);
          send(out, errorResponse(null, "BadRequest", message, null));
          return EXIT_DESYNCED;
        }
        raw = new byte[len];
        in.readFully(raw);
      } catch (EOFException e) {
        log("stdin closed; exiting");
        return 0;
      } catch (IOException e) {
        log("cannot read stdin (" + e + "); exiting");
        return 1;
      }
      Object[] opHolder = new Object[1];
      long t0 = System.nanoTime();
      Map<String, Object> resp = handleRaw(raw, opHolder);
      if (TRACE != null) TRACE.println((System.nanoTime() - STARTED) / 1000 + " " + opHolder[0] + " " + (System.nanoTime() - t0) / 1000 + (Boolean.TRUE.equals(resp.get("ok")) ? "" : " error"));
      try {
        send(out, resp);
      } catch (IOException e) {
        log("cannot write to stdout (" + e + "); exiting");
        return 1;
      }
      if ("shutdown".equals(opHolder[0]) && Boolean.TRUE.equals(resp.get("ok"))) return 0;
    }
  }

  static void send(OutputStream out, Map<String, Object> resp) throws IOException {
    byte[] data;
    try {
      data = Json.write(resp).getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      data = Json.write(errorResponse(resp.get("id"), "InternalError", "unencodable response: " + e, e)).getBytes(StandardCharsets.UTF_8);
    }
    if (data.length > MAX_CONTROL_MESSAGE_BYTES) {
      data = Json.write(errorResponse(resp.get("id"), "InternalError", "response too large", null)).getBytes(StandardCharsets.UTF_8);
    }
    out.write(new byte[] {(byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length});
    out.write(data);
    out.flush();
  }

  static Map<String, Object> errorResponse(Object id, String type, String message, Throwable e) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("ok", false);
    r.put("error", errorBody(type, message, e));
    return r;
  }

  static Map<String, Object> errorBody(String type, String message, Throwable e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("type", type);
    err.put("message", message == null ? "" : message);
    if (e != null) {
      StringWriter sw = new StringWriter();
      e.printStackTrace(new PrintWriter(sw));
      err.put("traceback", sw.toString());
    }
    return err;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> handleRaw(byte[] raw, Object[] opHolder) {
    Object parsed;
    try {
      parsed = Json.parse(decodeUtf8(raw));
    } catch (Json.ParseError | java.nio.charset.CharacterCodingException e) {
      return errorResponse(null, "BadRequest", "not JSON: " + e.getMessage(), null);
    }
    if (!(parsed instanceof Map)) return errorResponse(null, "BadRequest", "a request must be a JSON object", null);
    Map<String, Object> req = (Map<String, Object>) parsed;
    Object op = req.get("op");
    opHolder[0] = op;
    Map<String, Object> resp = new LinkedHashMap<>();
    resp.put("id", req.get("id"));
    Map<String, Object> body = handle(req, false);
    resp.putAll(body);
    return resp;
  }

  private static String decodeUtf8(byte[] raw) throws java.nio.charset.CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
  }

  static final List<String> OPS = List.of("answer", "batch", "call", "encode", "hello", "load_idl", "oneway_log", "prepare", "received", "roundtrip", "serve", "shutdown", "stop");

  /** Runs one request: {"ok": true, ...result} or {"ok": false, "error": {...}} (no id). */
  static Map<String, Object> handle(Map<String, Object> req, boolean inBatch) {
    Object op = req.get("op");
    Map<String, Object> r = new LinkedHashMap<>();
    if (!(op instanceof String) || !OPS.contains(op)) {
      r.put("ok", false);
      r.put("error", errorBody("UnknownOp", "unknown op " + (op instanceof String ? "'" + op + "'" : Json.write(op)) + "; known: " + OPS, null));
      return r;
    }
    try {
      Map<String, Object> result = dispatch((String) op, req, inBatch);
      r.put("ok", true);
      r.putAll(result);
    } catch (PeerError e) {
      r.put("ok", false);
      r.put("error", errorBody(e.type, e.getMessage(), e.getCause() != null ? e.getCause() : e));
    } catch (Throwable e) { // any failure of an op is an answer, never a crash
      if (e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null) e = e.getCause();
      r.put("ok", false);
      r.put("error", errorBody(e.getClass().getSimpleName(), e.getMessage() == null ? e.toString() : e.getMessage(), e));
    }
    return r;
  }

  private static Map<String, Object> dispatch(String op, Map<String, Object> req, boolean inBatch) throws Exception {
    switch (op) {
      case "hello": return opHello();
      case "load_idl": return opLoadIdl(req);
      case "prepare": return opPrepare(req);
      case "encode": return opEncode(req);
      case "roundtrip": return opRoundtrip(req);
      case "serve": return opServe(req);
      case "stop":
        Rpc.stop(intParam(req, "port", null));
        return new LinkedHashMap<>();
      case "call": return opCall(req);
      case "oneway_log": return Rpc.onewayLog(boolParam(req, "clear", false));
      case "answer": return Rpc.answer(req);
      case "received": return Rpc.received(req);
      case "batch":
        if (inBatch) throw new PeerError("BadRequest", "batch: batches do not nest");
        return opBatch(req);
      case "shutdown":
        return new LinkedHashMap<>();
      default:
        throw new PeerError("UnknownOp", "unknown op '" + op + "'");
    }
  }

  // ---- parameters -------------------------------------------------------------------------------

  static Object param(Map<String, Object> req, String name, Class<?> type, Object dflt, boolean required) throws PeerError {
    Object v = req.get(name);
    if (v == null) {
      if (required) throw new PeerError("BadRequest", req.get("op") + ": missing parameter '" + name + "'");
      return dflt;
    }
    if (!type.isInstance(v)) throw new PeerError("BadRequest", req.get("op") + ": parameter '" + name + "' has the wrong type (" + v.getClass().getSimpleName() + ")");
    return v;
  }

  static String strParam(Map<String, Object> req, String name, String dflt) throws PeerError {
    return (String) param(req, name, String.class, dflt, dflt == null);
  }

  static String optStr(Map<String, Object> req, String name) throws PeerError {
    return (String) param(req, name, String.class, null, false);
  }

  static int intParam(Map<String, Object> req, String name, Integer dflt) throws PeerError {
    Object v = param(req, name, Long.class, dflt == null ? null : (long) dflt, dflt == null);
    long l = (Long) v;
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw new PeerError("BadRequest", req.get("op") + ": parameter '" + name + "' is out of range");
    return (int) l;
  }

  static boolean boolParam(Map<String, Object> req, String name, boolean dflt) throws PeerError {
    return (Boolean) param(req, name, Boolean.class, dflt, false);
  }

  static String choice(Map<String, Object> req, String name, List<String> allowed, String dflt) throws PeerError {
    String v = strParam(req, name, dflt);
    if (!allowed.contains(v)) throw new PeerError("BadRequest", req.get("op") + ": " + name + " must be one of " + allowed + ", got '" + v + "'");
    return v;
  }

  static Module module(Map<String, Object> req) throws PeerError {
    String h = strParam(req, "module", null);
    Module m;
    synchronized (MODULES) {
      m = MODULES.get(h);
    }
    if (m == null) throw new PeerError("UnknownModule", "no module '" + h + "'; load_idl first");
    return m;
  }

  static byte[] b64param(Map<String, Object> req, String name) throws PeerError {
    String s = strParam(req, name, null);
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new PeerError("BadRequest", req.get("op") + ": " + name + " is not valid base64");
    }
  }

  // ---- ops --------------------------------------------------------------------------------------

  static Map<String, Object> opHello() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", peerName);
    r.put("version", LIBRARY_VERSION);
    r.put("library", "Apache Thrift (Java)");
    r.put("compiler", compilerVersion);
    r.put("java", System.getProperty("java.version"));
    r.put("abilities", ABILITIES);
    r.put("startupMs", Math.round((System.nanoTime() - STARTED) / 1e5) / 10.0);
    return r;
  }

  /** Checks files/entry as apache-py does; returns the files as a map. */
  @SuppressWarnings("unchecked")
  static Map<String, String> idlFiles(Map<String, Object> req) throws PeerError {
    Map<String, Object> files = (Map<String, Object>) param(req, "files", Map.class, null, true);
    String entry = strParam(req, "entry", null);
    if (files.isEmpty() || files.size() > MAX_IDL_FILES) throw new PeerError("BadRequest", "load_idl: files must hold 1.." + MAX_IDL_FILES + " entries");
    if (!files.containsKey(entry)) throw new PeerError("BadRequest", "load_idl: entry '" + entry + "' is not one of the files");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : files.entrySet()) {
      String rel = e.getKey();
      if (!(e.getValue() instanceof String)) throw new PeerError("BadRequest", "load_idl: the source of '" + rel + "' is not a string");
      Path norm = rel.isEmpty() || rel.indexOf('\0') >= 0 ? null : Paths.get(rel).normalize();
      if (norm == null || norm.isAbsolute() || norm.toString().equals("..") || norm.startsWith("..") || norm.toString().isEmpty()) {
        throw new PeerError("BadRequest", "load_idl: bad relative path '" + rel + "'");
      }
      out.put(rel, (String) e.getValue());
    }
    Includes.check(out, entry);
    return out;
  }

  static Map<String, Object> opLoadIdl(Map<String, Object> req) throws Exception {
    Map<String, String> files = idlFiles(req);
    String entry = strParam(req, "entry", null);
    Schemas.Built b = schemas.load(files, entry);
    String handle;
    Module m;
    synchronized (MODULES) {
      handle = "m" + (MODULES.size() + 1);
      m = new Module(handle, b);
      MODULES.put(handle, m);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("module", handle);
    r.put("types", new ArrayList<Object>(b.meta.types));
    r.put("services", new ArrayList<Object>(b.meta.services));
    return r;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> opPrepare(Map<String, Object> req) throws PeerError {
    List<Object> list = (List<Object>) param(req, "schemas", List.class, null, true);
    int accepted = 0;
    for (Object o : list) {
      if (!(o instanceof Map)) continue;
      Map<String, Object> s = new LinkedHashMap<>((Map<String, Object>) o);
      s.put("op", "prepare");
      try {
        Map<String, String> files = idlFiles(s);
        schemas.prepare(files, (String) s.get("entry"));
        accepted++;
      } catch (PeerError e) {
        // not prepare's error: the later load_idl reports it
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("accepted", (long) accepted);
    return r;
  }

  static TProtocol protocol(String name, org.apache.thrift.transport.TTransport t) {
    return Rpc.protocolFactory(name, false, true).getProtocol(t);
  }

  static Map<String, Object> opEncode(Map<String, Object> req) throws Exception {
    Module m = module(req);
    String protocol = choice(req, "protocol", List.of("binary", "compact"), "binary");
    StructInfo s = m.structType(strParam(req, "type", null));
    TBase<?, ?> obj;
    try {
      obj = Types.structFromJson(s, req.get("value"), s.name);
    } catch (Types.ValueError e) {
      throw new PeerError("EncodeError", e.getMessage(), e);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("bytes", Base64.getEncoder().encodeToString(serialize(obj, protocol)));
    return r;
  }

  static byte[] serialize(TBase<?, ?> obj, String protocol) throws PeerError {
    try {
      TMemoryBuffer buf = new TMemoryBuffer(256);
      obj.write(protocol(protocol, buf));
      return java.util.Arrays.copyOf(buf.getArray(), buf.length());
    } catch (Throwable e) {
      throw new PeerError("EncodeError", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  static Map<String, Object> opRoundtrip(Map<String, Object> req) throws Exception {
    Module m = module(req);
    String protocol = choice(req, "protocol", List.of("binary", "compact"), "binary");
    StructInfo s = m.structType(strParam(req, "type", null));
    byte[] data = b64param(req, "bytes");
    TBase<?, ?> obj;
    int trailing;
    try {
      obj = s.newInstance();
      TMemoryInputTransport in = new TMemoryInputTransport(new TConfiguration(), data);
      obj.read(protocol(protocol, in));
      trailing = in.getBytesRemainingInBuffer();
    } catch (Throwable e) {
      throw new PeerError("DecodeError", e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    Map<String, Object> value;
    try {
      value = Types.structToJson(s, obj, s.name);
    } catch (Types.ValueError e) {
      throw new PeerError("DecodeError", e.getMessage(), e);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("value", value);
    r.put("bytes", Base64.getEncoder().encodeToString(serialize(obj, protocol)));
    r.put("trailing", (long) trailing);
    return r;
  }

  static boolean[] envelope(Map<String, Object> req) throws PeerError {
    String env = choice(req, "envelope", List.of("strict", "nonstrict"), "strict");
    boolean strictRead = boolParam(req, "strictRead", false);
    return new boolean[] {strictRead, env.equals("strict")};
  }

  static String transportParam(Map<String, Object> req) throws PeerError {
    return choice(req, "transport", List.of("framed", "buffered"), "framed");
  }

  static Map<String, Object> opServe(Map<String, Object> req) throws Exception {
    Module m = module(req);
    String protocol = choice(req, "protocol", List.of("binary", "compact"), "binary");
    String transport = transportParam(req);
    boolean[] env = envelope(req);
    String service = strParam(req, "service", null);
    String impl = optStr(req, "impl");
    int port = Rpc.serve(m, service, protocol, transport, env[0], env[1], impl);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("port", (long) port);
    return r;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> opCall(Map<String, Object> req) throws Exception {
    Module m = module(req);
    String protocol = choice(req, "protocol", List.of("binary", "compact"), "binary");
    String transport = transportParam(req);
    boolean[] env = envelope(req);
    String service = strParam(req, "service", null);
    String function = strParam(req, "function", null);
    Map<String, Object> args = (Map<String, Object>) param(req, "args", Map.class, new LinkedHashMap<>(), false);
    int repeat = intParam(req, "repeat", 1);
    String host = strParam(req, "host", "127.0.0.1");
    if (!isLoopback(host)) throw new PeerError("BadRequest", "call: only loopback hosts are allowed, not '" + host + "'");
    int port = intParam(req, "port", null);
    return Rpc.call(m, service, function, args, host, port, protocol, transport, env[0], env[1], repeat);
  }

  static boolean isLoopback(String host) {
    if (host.equals("localhost")) return true;
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) return false; // literal addresses only (no DNS)
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> opBatch(Map<String, Object> req) throws PeerError {
    List<Object> reqs = (List<Object>) param(req, "requests", List.class, null, true);
    List<Object> out = new ArrayList<>(reqs.size());
    for (Object o : reqs) {
      if (!(o instanceof Map)) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", false);
        r.put("error", errorBody("BadRequest", "a request must be a JSON object", null));
        out.add(r);
        continue;
      }
      Map<String, Object> sub = (Map<String, Object>) o;
      if ("shutdown".equals(sub.get("op"))) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ok", false);
        r.put("error", errorBody("BadRequest", "batch: shutdown cannot be batched", null));
        out.add(r);
        continue;
      }
      out.add(handle(sub, true));
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("responses", out);
    return r;
  }

  // ---- files ------------------------------------------------------------------------------------

  static void deleteTree(Path p) {
    if (p == null || !Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.deleteIfExists(x);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      // best effort
    }
  }
}
