package thriftconform;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.ProcessFunction;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TBaseProcessor;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.layered.TFramedTransport;
import thriftconform.Module.FunctionInfo;
import thriftconform.Types.FieldDesc;
import thriftconform.Types.Kind;

/**
 * Servers (the library's TThreadPoolServer with the generated Processor and a java.lang.reflect.Proxy
 * over the generated Iface) and clients (the generated Client).
 */
final class Rpc {
  private Rpc() {}

  /** Name of the argument that asks the generic handler to raise a declared exception. */
  static final String RAISE_ARG = "raiseField";
  /** Largest number of oneway calls kept in the log. */
  static final int MAX_ONEWAY_LOG = 10_000;
  /** Milliseconds for connecting and for each read of a client call. */
  static final int CALL_IO_TIMEOUT_MS = 30_000;
  static final int CONNECT_TIMEOUT_MS = 5_000;

  static final List<Map<String, Object>> ONEWAY_LOG = new ArrayList<>();
  static final Map<Integer, TServer> SERVERS = new ConcurrentHashMap<>();
  /** Largest number of scripted answers queued per server and function, and of received calls kept. */
  static final int MAX_SCRIPTED = 10_000;
  /** Every server's dispatcher, by port (the answer/received ops find it here). */
  static final Map<Integer, Dispatcher> DISPATCHERS = new ConcurrentHashMap<>();

  /** The args struct the current server thread is handling (set by CapturingFunction). */
  static final ThreadLocal<TBase<?, ?>> CURRENT_ARGS = new ThreadLocal<>();

  // ---- protocols and transports -----------------------------------------------------------------

  static TProtocolFactory protocolFactory(String protocol, boolean strictRead, boolean strictWrite) {
    if (protocol.equals("compact")) return new TCompactProtocol.Factory();
    return new TBinaryProtocol.Factory(strictRead, strictWrite);
  }

  // ---- the handler ------------------------------------------------------------------------------

  static final class Outcome {
    final String kind; // return | void | raise | fail
    Object value;
    FieldDesc field;
    Object valueJson;
    String message;
    Types.TypeDesc from; // "return": the argument's type (it may be an enum where an i32 is returned, or back)

    Outcome(String k) {
      this.kind = k;
    }
  }

  static final class Dispatcher implements InvocationHandler {
    final Module module;
    final Class<?> service;
    final String serviceName;
    final Map<Object, Object> store; // impl keyvalue
    volatile int port;
    // Scripted answers (peers/README.md, "Scripted answers"): guarded by `this`.
    final Map<String, List<Map<String, Object>>> answers = new HashMap<>();
    List<Map<String, Object>> received = new ArrayList<>();
    boolean scripted;

    Dispatcher(Module m, Class<?> svc, String serviceName, String impl) {
      this.module = m;
      this.service = svc;
      this.serviceName = serviceName;
      this.store = "keyvalue".equals(impl) ? new HashMap<>() : null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] argv) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        switch (method.getName()) {
          case "hashCode": return System.identityHashCode(proxy);
          case "equals": return proxy == argv[0];
          default: return "Handler(" + serviceName + ")";
        }
      }
      FunctionInfo fn = module.function(service, method.getName());
      TBase<?, ?> argsStruct = CURRENT_ARGS.get();
      CURRENT_ARGS.remove();
      // Argument values as the Iface got them; "set" as the decoded args struct says.
      Map<String, Object> args = new LinkedHashMap<>();
      for (int i = 0; i < fn.params.size(); i++) {
        FieldDesc p = fn.params.get(i);
        Object v = argv != null && i < argv.length ? argv[i] : null;
        boolean set = argsStruct != null ? isSet(argsStruct, p) : v != null;
        if (set && v != null) args.put(p.name, v);
      }
      Outcome o = decide(fn, args);
      switch (o.kind) {
        case "return":
          return o.from == null ? o.value : coerce(o.from, fn.returns, o.value);
        case "void":
          return null;
        case "raise": {
          Object e = o.value;
          if (e == null) {
            Types.StructInfo s = o.field.type.struct;
            e = o.valueJson != null ? Types.structFromJson(s, o.valueJson, s.name) : s.newInstance();
          }
          throw (Throwable) e;
        }
        default:
          throw new HandlerFailure(o.message); // the Processor answers INTERNAL_ERROR
      }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean isSet(TBase b, FieldDesc f) {
      return ((TBase) b).isSet(f.fieldEnum);
    }

    Outcome decide(FunctionInfo fn, Map<String, Object> args) {
      if (fn.oneway) record(fn, args);
      Outcome s = scriptedOutcome(fn, args);
      if (s != null) return s;
      if (store != null) {
        Outcome o = keyValue(fn, args);
        if (o != null) return o;
      }
      return generic(fn, args);
    }

    private Outcome keyValue(FunctionInfo fn, Map<String, Object> args) {
      boolean hasKey = false, hasValue = false;
      for (FieldDesc p : fn.params) {
        hasKey |= p.name.equals("key");
        hasValue |= p.name.equals("value");
      }
      if (fn.name.equals("get") && hasKey) {
        Object key = args.get("key");
        synchronized (store) {
          if (store.containsKey(key)) {
            Outcome o = new Outcome("return");
            o.value = store.get(key);
            return o;
          }
        }
        if (!fn.exceptions.isEmpty()) {
          FieldDesc ef = fn.exceptions.get(0);
          FieldDesc kf = ef.type.struct == null ? null : ef.type.struct.field("key");
          Outcome o = new Outcome("raise");
          o.field = ef;
          o.valueJson = key instanceof String && kf != null && kf.type.kind == Kind.STRING ? Types.one("key", key) : new LinkedHashMap<>();
          return o;
        }
        Outcome o = new Outcome("fail");
        o.message = "get: no value for " + key + " and no exception declared";
        return o;
      }
      if ((fn.name.equals("put") || fn.name.equals("set") || fn.name.equals("setValue")) && hasKey && hasValue) {
        synchronized (store) {
          store.put(args.get("key"), args.get("value"));
        }
        if (fn.returns == null) return new Outcome("void");
        Outcome o = new Outcome("return");
        o.value = args.get("value");
        return o;
      }
      return null;
    }

    private static Outcome generic(FunctionInfo fn, Map<String, Object> args) {
      Object wanted = args.get(RAISE_ARG);
      if (wanted instanceof String) {
        for (FieldDesc ef : fn.exceptions) {
          if (ef.name.equals(wanted)) {
            Outcome o = new Outcome("raise");
            o.field = ef;
            for (FieldDesc p : fn.params) {
              Object v = args.get(p.name);
              if (v != null && Types.sameType(p.type, ef.type)) {
                o.value = v;
                break;
              }
            }
            return o;
          }
        }
      }
      if (fn.oneway || fn.returns == null) return new Outcome("void");
      for (FieldDesc p : fn.params) {
        Object v = args.get(p.name);
        if (v != null && Types.sameType(p.type, fn.returns)) {
          Outcome o = new Outcome("return");
          o.value = v;
          o.from = p.type;
          return o;
        }
      }
      Outcome o = new Outcome("fail");
      o.message = fn.name + ": no argument of the return type " + fn.returns + " is set, and no " + RAISE_ARG + " names a declared exception";
      return o;
    }

    /** Queues one scripted answer for `fn` (after dropping those still queued when `reset`). */
    synchronized int queue(String fn, Map<String, Object> answer, boolean reset) throws PeerError {
      List<Map<String, Object>> q = answers.computeIfAbsent(fn, k -> new ArrayList<>());
      if (reset) q.clear();
      if (q.size() >= MAX_SCRIPTED) throw new PeerError("BadRequest", "answer: " + MAX_SCRIPTED + " answers already queued for " + fn + " on port " + port + "; call it first");
      q.add(answer);
      scripted = true;
      return q.size();
    }

    /** The calls received since the last read (emptied). */
    synchronized List<Map<String, Object>> takeReceived() {
      List<Map<String, Object>> out = received;
      received = new ArrayList<>();
      return out;
    }

    /** Records the call (once scripted) and turns the next queued answer for it, if any, into an outcome. */
    private Outcome scriptedOutcome(FunctionInfo fn, Map<String, Object> args) {
      Map<String, Object> answer;
      synchronized (this) {
        if (!scripted) return null;
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("function", fn.name);
        entry.put("args", argsJson(fn, args));
        entry.put("oneway", fn.oneway);
        received.add(entry);
        while (received.size() > MAX_SCRIPTED) received.remove(0);
        List<Map<String, Object>> q = answers.get(fn.name);
        if (q == null || q.isEmpty()) return null;
        answer = q.remove(0);
      }
      if (answer.containsKey("none")) return new Outcome("void");
      if (answer.containsKey("result")) {
        if (fn.returns == null) return failure(fn.name + ": a scripted result for a void function");
        try {
          Outcome o = new Outcome("return");
          o.value = Types.fromJson(fn.returns, answer.get("result"), "result");
          return o;
        } catch (Exception e) {
          return failure(fn.name + ": the scripted result does not fit: " + e.getMessage());
        }
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> ex = (Map<String, Object>) answer.get("exception");
      Object name = ex.get("field");
      for (FieldDesc ef : fn.exceptions) {
        if (ef.name.equals(name)) {
          Outcome o = new Outcome("raise");
          o.field = ef;
          Object v = ex.get("value");
          o.valueJson = v != null ? v : new LinkedHashMap<>();
          return o;
        }
      }
      return failure(fn.name + ": the scripted exception '" + name + "' is not in its throws clause");
    }

    private static Outcome failure(String message) {
      Outcome o = new Outcome("fail");
      o.message = message;
      return o;
    }

    private static Map<String, Object> argsJson(FunctionInfo fn, Map<String, Object> args) {
      Map<String, Object> aj = new LinkedHashMap<>();
      try {
        for (FieldDesc p : fn.params) {
          Object v = args.get(p.name);
          if (v != null) aj.put(p.name, Types.toJson(p.type, v, p.name));
        }
      } catch (Exception e) {
        aj = Types.one("$error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      return aj;
    }

    private void record(FunctionInfo fn, Map<String, Object> args) {
      Map<String, Object> aj = argsJson(fn, args);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("port", (long) port);
      entry.put("service", serviceName);
      entry.put("function", fn.name);
      entry.put("args", aj);
      entry.put("time", System.currentTimeMillis() / 1000.0);
      synchronized (ONEWAY_LOG) {
        ONEWAY_LOG.add(entry);
        while (ONEWAY_LOG.size() > MAX_ONEWAY_LOG) ONEWAY_LOG.remove(0);
      }
    }
  }

  /**
   * The generic rules count an enum as an i32 (Apache's Python cannot tell them apart); a Java
   * enum has to be turned into its value (or back) to be returned where the other is declared.
   */
  @SuppressWarnings("unchecked")
  static Object coerce(Types.TypeDesc from, Types.TypeDesc to, Object v) throws Exception {
    if (v == null || from == to || exact(from, to)) return v;
    switch (to.kind) {
      case I32:
        return from.kind == Kind.ENUM ? (Object) ((org.apache.thrift.TEnum) v).getValue() : v;
      case ENUM: {
        if (from.kind == Kind.ENUM) return v;
        Object e = to.findByValue.invoke(null, (Integer) v);
        if (e == null) throw new HandlerFailure(v + " is not a value of enum " + to + ", the return type");
        return e;
      }
      case LIST: {
        List<Object> out = new ArrayList<>();
        for (Object x : (java.util.Collection<Object>) v) out.add(coerce(from.elem, to.elem, x));
        return out;
      }
      case SET: {
        java.util.Set<Object> out = new java.util.LinkedHashSet<>();
        for (Object x : (java.util.Collection<Object>) v) out.add(coerce(from.elem, to.elem, x));
        return out;
      }
      case MAP: {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
          out.put(coerce(from.key, to.key, e.getKey()), coerce(from.elem, to.elem, e.getValue()));
        }
        return out;
      }
      default:
        return v;
    }
  }

  private static boolean exact(Types.TypeDesc a, Types.TypeDesc b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case LIST:
      case SET:
        return exact(a.elem, b.elem);
      case MAP:
        return exact(a.key, b.key) && exact(a.elem, b.elem);
      default:
        return true;
    }
  }

  /** The handler cannot produce an answer (rule 4); the library answers INTERNAL_ERROR. */
  static final class HandlerFailure extends RuntimeException {
    HandlerFailure(String m) {
      super(m, null, false, false);
    }
  }

  /**
   * A generated ProcessFunction with one addition: the args struct it decodes is kept in
   * CURRENT_ARGS, so the handler can tell which arguments were set (the Iface gets primitives as
   * plain values). Everything else is the generated function's (reached by reflection where
   * protected).
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class CapturingFunction extends ProcessFunction {
    private final ProcessFunction inner;
    private final boolean oneway;
    private final boolean rethrow;

    CapturingFunction(ProcessFunction inner) throws ReflectiveOperationException {
      super(inner.getMethodName());
      this.inner = inner;
      this.oneway = (Boolean) protectedCall(inner, "isOneway");
      this.rethrow = (Boolean) protectedCall(inner, "rethrowUnhandledExceptions");
    }

    private static Object protectedCall(Object o, String name) throws ReflectiveOperationException {
      for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
        try {
          Method m = c.getDeclaredMethod(name);
          m.setAccessible(true);
          return m.invoke(o);
        } catch (NoSuchMethodException e) {
          // up
        }
      }
      throw new NoSuchMethodException(name);
    }

    @Override
    protected boolean isOneway() {
      return oneway;
    }

    @Override
    protected boolean rethrowUnhandledExceptions() {
      return rethrow;
    }

    @Override
    public TBase getResult(Object iface, TBase args) throws TException {
      CURRENT_ARGS.set(args);
      try {
        return inner.getResult(iface, args);
      } finally {
        CURRENT_ARGS.remove();
      }
    }

    @Override
    public TBase getEmptyArgsInstance() {
      return inner.getEmptyArgsInstance();
    }
  }

  /** TBaseProcessor with the capturing functions (the generated Processor adds nothing else). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class Processor extends TBaseProcessor {
    Processor(Object iface, Map map) {
      super(iface, map);
    }
  }

  // ---- serve / stop -----------------------------------------------------------------------------

  @SuppressWarnings({"rawtypes", "unchecked"})
  static int serve(Module m, String serviceName, String protocol, String transport, boolean strictRead, boolean strictWrite, String impl)
      throws Exception {
    Class<?> svc = m.serviceClass(serviceName);
    Class<?> ifaceCls = Class.forName(svc.getName() + "$Iface", true, m.loader);
    Dispatcher d = new Dispatcher(m, svc, serviceName, impl);
    Object iface = Proxy.newProxyInstance(m.loader, new Class<?>[] {ifaceCls}, d);
    Class<?> procCls = Class.forName(svc.getName() + "$Processor", true, m.loader);
    TBaseProcessor generated = (TBaseProcessor) procCls.getConstructor(ifaceCls).newInstance(iface);
    Map<String, ProcessFunction> map = new HashMap<>();
    for (Object e : generated.getProcessMapView().entrySet()) {
      Map.Entry<String, ProcessFunction> en = (Map.Entry<String, ProcessFunction>) e;
      map.put(en.getKey(), new CapturingFunction(en.getValue()));
    }
    Processor processor = new Processor(iface, map);
    TServerSocket sock = new TServerSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    int port = sock.getServerSocket().getLocalPort();
    d.port = port;
    DISPATCHERS.put(port, d);
    ExecutorService pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "server-" + port + "-conn");
      t.setDaemon(true);
      return t;
    });
    TThreadPoolServer.Args args = new TThreadPoolServer.Args(sock)
        .processor(processor)
        .transportFactory(transport.equals("framed") ? new TFramedTransport.Factory() : new TTransportFactory())
        .protocolFactory(protocolFactory(protocol, strictRead, strictWrite))
        .executorService(pool);
    TThreadPoolServer server = new TThreadPoolServer(args);
    Thread t = new Thread(() -> {
      try {
        server.serve();
      } catch (Throwable e) {
        Peer.log("server " + port + " ended: " + e);
      }
      Peer.log("server " + port + " stopped");
    }, "server-" + port);
    t.setDaemon(true);
    t.start();
    SERVERS.put(port, server);
    Peer.log("serving " + serviceName + " of " + m.handle + " on 127.0.0.1:" + port + " (" + protocol + ", " + transport + ", impl=" + impl + ")");
    return port;
  }

  static void stop(int port) throws PeerError {
    TServer s = SERVERS.remove(port);
    if (s == null) throw new PeerError("BadRequest", "no server on port " + port);
    s.stop();
  }

  // ---- call -------------------------------------------------------------------------------------

  static Map<String, Object> call(Module m, String serviceName, String fname, Map<String, Object> argsJson, String host, int port,
      String protocol, String transport, boolean strictRead, boolean strictWrite, int repeat) throws Exception {
    Class<?> svc = m.serviceClass(serviceName);
    FunctionInfo fn = m.function(svc, fname);
    Map<String, FieldDesc> byName = new HashMap<>();
    for (FieldDesc p : fn.params) byName.put(p.name, p);
    Object[] argv = new Object[fn.params.size()];
    for (Map.Entry<String, Object> e : argsJson.entrySet()) {
      if (!byName.containsKey(e.getKey())) throw new PeerError("EncodeError", fname + " has no argument '" + e.getKey() + "'");
    }
    Class<?> clientCls = Class.forName(svc.getName() + "$Client", true, m.loader);
    Method send = null, recv = null;
    for (Method x : clientCls.getMethods()) {
      if (x.getName().equals("send_" + fname) && x.getParameterCount() == fn.params.size()) send = x;
      if (x.getName().equals("recv_" + fname) && x.getParameterCount() == 0) recv = x;
    }
    if (send == null) throw new PeerError("UnknownFunction", "the generated client has no send_" + fname);
    Class<?>[] ptypes = send.getParameterTypes();
    for (int i = 0; i < fn.params.size(); i++) {
      FieldDesc p = fn.params.get(i);
      if (argsJson.containsKey(p.name) && argsJson.get(p.name) != null) {
        try {
          argv[i] = Types.fromJson(p.type, argsJson.get(p.name), p.name);
        } catch (Types.ValueError e) {
          throw new PeerError("EncodeError", e.getMessage(), e);
        }
      } else if (ptypes[i].isPrimitive()) {
        argv[i] = primitiveDefault(ptypes[i]); // the generated client cannot leave it out
      }
    }
    TSocket sock = new TSocket(new org.apache.thrift.TConfiguration(), host, port, CALL_IO_TIMEOUT_MS, CONNECT_TIMEOUT_MS);
    TTransport trans = transport.equals("framed") ? new TFramedTransport(sock) : sock;
    TProtocol prot = protocolFactory(protocol, strictRead, strictWrite).getProtocol(trans);
    Object client = clientCls.getConstructor(TProtocol.class).newInstance(prot);
    try {
      trans.open();
    } catch (TTransportException e) {
      throw new PeerError("TransportError", "cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    Map<String, Object> result = null;
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < Math.max(1, repeat); i++) result = callOnce(fn, client, send, recv, argv);
    } finally {
      trans.close();
    }
    if (repeat > 1) {
      result.put("repeat", (long) repeat);
      result.put("elapsedMs", Math.round((System.nanoTime() - t0) / 1000.0) / 1000.0);
    }
    return result;
  }

  private static Object primitiveDefault(Class<?> c) {
    if (c == boolean.class) return false;
    if (c == byte.class) return (byte) 0;
    if (c == short.class) return (short) 0;
    if (c == int.class) return 0;
    if (c == long.class) return 0L;
    return 0.0;
  }

  private static Map<String, Object> callOnce(FunctionInfo fn, Object client, Method send, Method recv, Object[] argv) throws Exception {
    try {
      send.invoke(client, argv);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof TTransportException) throw new PeerError("TransportError", fn.name + ": " + c, c);
      throw new PeerError("EncodeError", fn.name + ": " + c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    if (fn.oneway) {
      out.put("result", null);
      return out;
    }
    Object r;
    try {
      r = recv.invoke(client);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof TApplicationException) {
        TApplicationException a = (TApplicationException) c;
        Map<String, Object> ae = new LinkedHashMap<>();
        ae.put("type", (long) a.getType());
        ae.put("message", a.getMessage());
        out.put("applicationException", ae);
        return out;
      }
      if (c instanceof TTransportException) throw new PeerError("TransportError", fn.name + ": " + c, c);
      for (FieldDesc f : fn.exceptions) {
        if (f.type.struct != null && f.type.struct.cls.isInstance(c)) {
          Map<String, Object> ex = new LinkedHashMap<>();
          ex.put("type", f.type.struct.name);
          ex.put("field", f.name);
          ex.put("value", Types.structToJson(f.type.struct, c, f.type.struct.name));
          out.put("exception", ex);
          return out;
        }
      }
      throw new PeerError("DecodeError", "reply to " + fn.name + ": " + c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    }
    if (fn.returns == null) {
      out.put("result", null);
      return out;
    }
    try {
      out.put("result", Types.toJson(fn.returns, r, "result"));
    } catch (Types.ValueError e) {
      throw new PeerError("DecodeError", e.getMessage(), e);
    }
    return out;
  }

  private static Dispatcher dispatcherOf(Map<String, Object> req) throws PeerError {
    Object p = req.get("port");
    if (!(p instanceof Long)) throw new PeerError("BadRequest", "parameter 'port' must be an integer (a port `serve` answered)");
    Dispatcher d = DISPATCHERS.get((int) (long) (Long) p);
    if (d == null) throw new PeerError("BadRequest", "no server on port " + p + "; `serve` first and use the port it answers");
    return d;
  }

  /** The `answer` op: {port, function, answer, reset?} -> {queued} (peers/README.md, "Scripted answers"). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> answer(Map<String, Object> req) throws PeerError {
    Dispatcher d = dispatcherOf(req);
    Object fn = req.get("function");
    if (!(fn instanceof String) || ((String) fn).isEmpty()) throw new PeerError("BadRequest", "parameter 'function' must be a function name");
    Object reset = req.getOrDefault("reset", false);
    if (!(reset instanceof Boolean)) throw new PeerError("BadRequest", "parameter 'reset' must be true or false");
    Object a = req.get("answer");
    String one = "answer: expected one of {\"result\": v}, {\"exception\": {\"field\": f, \"value\": {...}}}, {\"none\": true}";
    if (!(a instanceof Map) || ((Map<String, Object>) a).size() != 1) throw new PeerError("BadRequest", one);
    Map<String, Object> m = (Map<String, Object>) a;
    if (m.containsKey("exception")) {
      Object e = m.get("exception");
      boolean ok = e instanceof Map && ((Map<String, Object>) e).get("field") instanceof String;
      if (ok) {
        Object v = ((Map<String, Object>) e).get("value");
        ok = v == null || v instanceof Map;
      }
      if (!ok) throw new PeerError("BadRequest", "answer.exception: expected {\"field\": \"<name in throws>\", \"value\": {...}}");
    } else if (m.containsKey("none")) {
      if (!Boolean.TRUE.equals(m.get("none"))) throw new PeerError("BadRequest", one);
    } else if (!m.containsKey("result")) {
      throw new PeerError("BadRequest", "answer: unknown kind '" + m.keySet().iterator().next() + "'; expected result, exception or none");
    }
    return Types.one("queued", (long) d.queue((String) fn, m, (Boolean) reset));
  }

  /** The `received` op: {port} -> {calls: [{function, args, oneway}]}, then forgotten. */
  static Map<String, Object> received(Map<String, Object> req) throws PeerError {
    return Types.one("calls", dispatcherOf(req).takeReceived());
  }

  static Map<String, Object> onewayLog(boolean clear) {
    synchronized (ONEWAY_LOG) {
      List<Object> calls = new ArrayList<>(ONEWAY_LOG);
      if (clear) ONEWAY_LOG.clear();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("calls", calls);
      return out;
    }
  }
}
