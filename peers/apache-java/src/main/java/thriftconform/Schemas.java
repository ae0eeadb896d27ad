package thriftconform;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Turns IDL into loaded Java classes: `thrift -r --gen java` into a private temp dir, then the JDK
 * compiler (javax.tools, inside this JVM, on one background thread) into a cache directory keyed by
 * a hash of (IDL files, entry, compiler version, library version, this peer's code version). A
 * schema built once is never compiled again, also across runs. `prepare` queues schemas; the
 * compile thread takes them in growing batches (one javac task per batch).
 *
 * <p>Every file of a schema gets its own Java package, `tc_<hash>.f<i>` (a `namespace java` line
 * is put in front of the file's first line, and the file's own `namespace java` is blanked), so
 * schemas compiled in one javac task never clash and the default package is never used.
 */
final class Schemas {
  /** Bump when the generated/cached layout changes. */
  static final String LAYOUT = "apache-java-cache-2";
  /** Seconds the thrift compiler may take for one schema. */
  static final long COMPILER_TIMEOUT_S = 60;
  /** Most schemas compiled in one javac task. */
  static final int MAX_BATCH = maxBatch();

  private static int maxBatch() {
    try {
      return Math.max(1, Integer.parseInt(System.getenv().getOrDefault("APACHE_JAVA_BATCH", "4").trim()));
    } catch (NumberFormatException e) {
      return 4;
    }
  }

  static final class Meta {
    String hash;
    String entryPackage;
    Map<String, String> packages = new LinkedHashMap<>(); // IDL file path -> Java package
    List<String> types = new ArrayList<>();
    List<Map<String, Object>> services = new ArrayList<>();
    Path classes;
  }

  static final class Built {
    final Meta meta;
    final PeerError error;
    ClassLoader loader;

    Built(Meta m, PeerError e) {
      this.meta = m;
      this.error = e;
    }
  }

  static final class Job {
    final String hash;
    final Map<String, String> files;
    final String entry;
    final CompletableFuture<Built> future = new CompletableFuture<>();
    Path stage; // work dir
    Path gen;
    List<File> sources;
    Meta meta;

    Job(String hash, Map<String, String> files, String entry) {
      this.hash = hash;
      this.files = files;
      this.entry = entry;
    }
  }

  final String compiler;
  final String compilerVersion;
  final Path cacheRoot;
  final Path work;
  private final Map<String, Job> jobs = new HashMap<>(); // by hash, every job of this process
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private final JavaCompiler javac;
  /** One file manager per compile thread (they are not thread-safe; each caches the jars). */
  private final ThreadLocal<StandardJavaFileManager> fileManager = new ThreadLocal<>();
  private int batchCount = 0;
  private int batchesRun = 0;
  final Stats stats = new Stats();

  static final class Stats {
    long compiledSchemas, compileTasks, cacheHits, thriftMs, javacMs, warmupMs = -1;

    synchronized Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("compiledSchemas", compiledSchemas);
      m.put("javacTasks", compileTasks);
      m.put("cacheHits", cacheHits);
      m.put("thriftMs", thriftMs);
      m.put("javacMs", javacMs);
      m.put("warmupMs", warmupMs);
      return m;
    }
  }

  Schemas(String compiler, String compilerVersion, Path cacheRoot, Path work) {
    this.compiler = compiler;
    this.compilerVersion = compilerVersion;
    this.cacheRoot = cacheRoot;
    this.work = work;
    this.javac = ToolProvider.getSystemJavaCompiler();
    for (int i = 0; i < THREADS; i++) {
      Thread t = new Thread(this::loop, "javac-" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  /** Compile threads (APACHE_JAVA_JAVAC_THREADS; default: 2, or 1 on a one-CPU machine). */
  static final int THREADS = threads();

  private static int threads() {
    String v = System.getenv("APACHE_JAVA_JAVAC_THREADS");
    try {
      if (v != null) return Math.max(1, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      // default
    }
    return Runtime.getRuntime().availableProcessors() > 1 ? 2 : 1;
  }

  // ---- hashing ----------------------------------------------------------------------------------

  String hash(Map<String, String> files, String entry) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      StringBuilder b = new StringBuilder();
      b.append(LAYOUT).append('\0').append(compilerVersion).append('\0').append(Peer.LIBRARY_VERSION).append('\0')
          .append(Peer.CODE_VERSION).append('\0').append(entry).append('\0');
      for (Map.Entry<String, String> e : new TreeMap<>(files).entrySet()) {
        b.append(e.getKey()).append('\0').append(e.getValue()).append('\0');
      }
      byte[] d = md.digest(b.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder h = new StringBuilder();
      for (int i = 0; i < 10; i++) h.append(String.format("%02x", d[i]));
      return h.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Cache entries unused for this long are removed when a peer starts. */
  static final long CACHE_KEEP_MS = 7L * 24 * 3600 * 1000;

  /** Removes cache entries (and leftovers of killed peers) not used for CACHE_KEEP_MS. */
  void prune() {
    long cutoff = System.currentTimeMillis() - CACHE_KEEP_MS;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheRoot)) {
      for (Path d : ds) {
        Path stamp = Files.isRegularFile(d.resolve("meta.json")) ? d.resolve("meta.json") : d;
        try {
          if (Files.getLastModifiedTime(stamp).toMillis() < cutoff) Peer.deleteTree(d);
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    } catch (IOException e) {
      Peer.log("cannot prune the cache: " + e);
    }
  }

  // ---- the public face --------------------------------------------------------------------------

  /** Queues a schema (prepare). */
  void prepare(Map<String, String> files, String entry) {
    String h = hash(files, entry);
    synchronized (this) {
      if (jobs.containsKey(h)) return;
      Job j = new Job(h, files, entry);
      jobs.put(h, j);
      queue.addLast(j);
      notifyAll();
    }
  }

  /** Builds (or finds) a schema and waits for it. */
  Built load(Map<String, String> files, String entry) throws PeerError {
    String h = hash(files, entry);
    Job j;
    synchronized (this) {
      j = jobs.get(h);
      if (j == null) {
        j = new Job(h, files, entry);
        jobs.put(h, j);
        queue.addFirst(j);
        notifyAll();
      } else if (queue.remove(j)) {
        queue.addFirst(j); // asked for now: build it next
      }
    }
    Built b;
    try {
      b = j.future.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new PeerError("IdlError", "building the schema failed: " + c, c);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new PeerError("IdlError", "building the schema took longer than 10 minutes");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerError("IdlError", "interrupted");
    }
    if (b.error != null) throw new PeerError(b.error.type, b.error.getMessage());
    synchronized (b) {
      if (b.loader == null) {
        try {
          b.loader = new URLClassLoader("schema-" + h, new URL[] {b.meta.classes.toUri().toURL()}, Peer.class.getClassLoader());
        } catch (java.net.MalformedURLException e) {
          throw new PeerError("IdlError", e.toString(), e);
        }
      }
    }
    return b;
  }

  // ---- the compile thread -----------------------------------------------------------------------

  private void loop() {
    if (Thread.currentThread().getName().equals("javac-1") || THREADS == 1) prune();
    long t0 = System.nanoTime();
    try {
      // One warm-up is enough: the JIT-compiled compiler is shared by the threads.
      if (Thread.currentThread().getName().equals("javac-0")) warmUp();
    } catch (Throwable e) {
      Peer.log("warm-up failed: " + e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    synchronized (stats) {
      stats.warmupMs = Math.max(stats.warmupMs, ms);
    }
    Peer.log(Thread.currentThread().getName() + ": compiler warm-up took " + ms + " ms");
    while (true) {
      List<Job> batch = new ArrayList<>();
      synchronized (this) {
        while (queue.isEmpty()) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        // Growing batches: the first schemas come quickly, later ones share a javac task.
        int size = Math.min(MAX_BATCH, 1 << Math.min(batchesRun / THREADS, 3));
        while (!queue.isEmpty() && batch.size() < size) batch.add(queue.pollFirst());
        batchesRun++;
      }
      try {
        build(batch);
      } catch (Throwable e) {
        Peer.log("build failed: " + e);
        for (Job j : batch) j.future.complete(new Built(null, new PeerError("IdlError", "building failed: " + e)));
      }
    }
  }

  private static final String WARM_IDL =
      "enum E { A = 1 }\n"
          + "struct S { 1: i32 a; 2: optional string b; 3: list<map<string, set<i64>>> c; 4: E e; 5: binary d }\n"
          + "union U { 1: S s; 2: double x }\n"
          + "exception X { 1: string key }\n"
          + "service Svc { S get(1: S s, 2: U u) throws (1: X x); oneway void ow(1: i32 a) }\n";

  /** One compile of a small schema, so the first real schema does not pay javac's start. */
  private void warmUp() throws Exception {
    Map<String, String> files = Map.of("warm.thrift", WARM_IDL);
    Job j = new Job("warm" + Long.toHexString(System.nanoTime()), files, "warm.thrift");
    generate(j);
    if (j.future.isDone()) throw new IllegalStateException("warm-up IDL: " + j.future.get().error.getMessage());
    Path out = work.resolve("warm-classes-" + Thread.currentThread().getName());
    Files.createDirectories(out);
    javacRun(j.sources, out, new DiagnosticCollector<>());
    Peer.deleteTree(j.stage);
    Peer.deleteTree(out);
  }

  private void build(List<Job> batch) throws IOException {
    List<Job> toCompile = new ArrayList<>();
    for (Job j : batch) {
      Built cached = readCache(j.hash);
      if (cached != null) {
        synchronized (stats) {
          stats.cacheHits++;
        }
        j.future.complete(cached);
        continue;
      }
      long t0 = System.nanoTime();
      try {
        generate(j);
      } catch (IOException | RuntimeException e) {
        j.future.complete(new Built(null, new PeerError("IdlError", "cannot run the thrift compiler: " + e)));
      }
      synchronized (stats) {
        stats.thriftMs += (System.nanoTime() - t0) / 1_000_000;
      }
      if (!j.future.isDone()) toCompile.add(j);
    }
    while (!toCompile.isEmpty()) {
      Path out;
      synchronized (this) {
        out = work.resolve("batch" + (++batchCount));
      }
      Files.createDirectories(out);
      List<File> sources = new ArrayList<>();
      for (Job j : toCompile) sources.addAll(j.sources);
      DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
      long t0 = System.nanoTime();
      boolean ok = javacRun(sources, out, diags);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      synchronized (stats) {
        stats.javacMs += ms;
        stats.compileTasks++;
      }
      Peer.log("javac: " + toCompile.size() + " schema(s), " + sources.size() + " files, " + ms + " ms" + (ok ? "" : " (errors)"));
      Map<Job, StringBuilder> errors = new LinkedHashMap<>();
      for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
        if (d.getKind() != Diagnostic.Kind.ERROR) continue;
        Job owner = null;
        String src = d.getSource() == null ? "" : d.getSource().toUri().getPath();
        for (Job j : toCompile) if (src.startsWith(j.gen.toString() + File.separator)) owner = j;
        if (owner == null) owner = toCompile.get(0); // an error without a file: blame the first
        Path srcPath = java.nio.file.Paths.get(src.isEmpty() ? owner.gen.toString() : src);
        String file = owner.gen.relativize(srcPath).toString();
        String line = sourceLine(srcPath, d.getLineNumber());
        StringBuilder eb = errors.computeIfAbsent(owner, k -> new StringBuilder());
        if (eb.length() == 0) {
          // The first line names the error and the generated line (the harness fingerprints it).
          // Without the peer's own package prefix (tc_<hash>.f<i>.): it changes with the IDL, and
          // the fingerprint must not.
          eb.append(d.getMessage(Locale.ROOT).split("\n")[0].replaceAll("\\btc_[0-9a-f]+\\.f[0-9]+\\.", ""))
              .append(" in `").append(line).append("`\n");
        }
        eb.append(file).append(':').append(d.getLineNumber()).append(": error: ").append(d.getMessage(Locale.ROOT)).append('\n');
        if (!line.isEmpty()) eb.append("    ").append(line).append('\n');
      }
      if (ok && errors.isEmpty()) {
        for (Job j : toCompile) finish(j, out);
        Peer.deleteTree(out);
        break;
      }
      if (errors.isEmpty()) { // failed without an error diagnostic: blame all
        for (Job j : toCompile) errors.put(j, new StringBuilder("javac failed"));
      }
      List<Job> rest = new ArrayList<>();
      for (Job j : toCompile) {
        StringBuilder e = errors.get(j);
        if (e == null) {
          rest.add(j);
          continue;
        }
        String msg = "the generated Java does not compile: " + e.toString().trim();
        storeError(j, msg);
        j.future.complete(new Built(null, new PeerError("IdlError", msg)));
        Peer.deleteTree(j.stage);
      }
      Peer.deleteTree(out);
      toCompile = rest;
    }
  }

  private boolean javacRun(List<File> sources, Path out, DiagnosticCollector<JavaFileObject> diags) throws IOException {
    StandardJavaFileManager fm = fileManager.get();
    if (fm == null) {
      fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
      fileManager.set(fm);
    }
    List<String> opts = List.of("-proc:none", "-nowarn", "-Xlint:none", "-implicit:none", "-encoding", "UTF-8", "-Xmaxerrs", "30",
        "-classpath", System.getProperty("java.class.path"), "-d", out.toString());
    Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromFiles(sources);
    JavaCompiler.CompilationTask task = javac.getTask(null, fm, diags, opts, null, units);
    return task.call();
  }

  private static String sourceLine(Path p, long n) {
    if (n <= 0) return "";
    try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
      String l = lines.skip(n - 1).findFirst().orElse("").trim();
      return l.length() > 160 ? l.substring(0, 157) + "..." : l;
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  // ---- thrift -> Java sources -------------------------------------------------------------------

  private static final Pattern NAMESPACE_JAVA = Pattern.compile("(?m)^([ \\t]*)namespace[ \\t]+java[ \\t]+[A-Za-z_][\\w.]*");

  static String pkgFor(String hash, int index) {
    return "tc_" + hash + ".f" + index;
  }

  /** Writes the IDL (with per-file packages) and runs the thrift compiler. */
  private void generate(Job j) throws IOException {
    j.stage = Files.createTempDirectory(work, "s" + j.hash.substring(0, 8) + "-");
    Path src = j.stage.resolve("src");
    j.gen = j.stage.resolve("gen");
    Files.createDirectories(j.gen);
    Meta m = new Meta();
    m.hash = j.hash;
    List<String> paths = new ArrayList<>(j.files.keySet());
    Collections.sort(paths);
    for (int i = 0; i < paths.size(); i++) {
      String rel = paths.get(i);
      String pkg = pkgFor(j.hash, i);
      m.packages.put(rel, pkg);
      String text = j.files.get(rel);
      Matcher mt = NAMESPACE_JAVA.matcher(text);
      StringBuffer sb = new StringBuffer();
      while (mt.find()) mt.appendReplacement(sb, Matcher.quoteReplacement(" ".repeat(mt.group().length())));
      mt.appendTail(sb);
      // On the first line, so the compiler's line numbers stay those of the file.
      String rewritten = "namespace java " + pkg + " " + sb;
      Path p = src.resolve(rel).normalize();
      Files.createDirectories(p.getParent());
      Files.writeString(p, rewritten, StandardCharsets.UTF_8);
    }
    m.entryPackage = m.packages.get(j.entry);
    Path entry = src.resolve(j.entry).normalize();
    List<String> cmd = List.of(compiler, "-r", "--gen", "java", "-out", j.gen.toString(), entry.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(entry.getParent().toFile()).redirectErrorStream(true);
    Process proc = pb.start();
    proc.getOutputStream().close();
    byte[] outBytes;
    boolean done;
    try {
      outBytes = proc.getInputStream().readAllBytes();
      done = proc.waitFor(COMPILER_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      throw new IOException("interrupted");
    }
    if (!done) {
      proc.destroyForcibly();
      fail(j, "the thrift compiler took longer than " + COMPILER_TIMEOUT_S + "s");
      return;
    }
    String output = new String(outBytes, StandardCharsets.UTF_8);
    if (proc.exitValue() != 0) {
      String msg = output.replace(src.toString() + File.separator, "").trim();
      fail(j, msg.isEmpty() ? "thrift exited with " + proc.exitValue() : msg);
      return;
    }
    List<File> sources = new ArrayList<>();
    try (Stream<Path> s = Files.walk(j.gen)) {
      s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> sources.add(p.toFile()));
    }
    j.sources = sources;
    describe(j, m);
    j.meta = m;
  }

  private void fail(Job j, String msg) {
    storeError(j, msg);
    j.future.complete(new Built(null, new PeerError("IdlError", msg)));
    Peer.deleteTree(j.stage);
  }

  private static final Pattern IFACE = Pattern.compile("public interface Iface( extends ([\\w.]+)\\.Iface)? \\{");
  private static final Pattern METHOD = Pattern.compile("^\\s*public .*?(\\w+)\\(", Pattern.MULTILINE);
  private static final Pattern TYPE_DECL = Pattern.compile(
      "^public (?:(?:abstract|final|static) )*(?:class|enum) (\\w+) (?:extends org\\.apache\\.thrift\\.(?:TUnion|TException)|implements org\\.apache\\.thrift\\.(?:TBase|TEnum))",
      Pattern.MULTILINE);

  /** The entry's types and services, read from the generated sources (declaration order). */
  private static void describe(Job j, Meta m) throws IOException {
    Path dir = j.gen.resolve(m.entryPackage.replace('.', File.separatorChar));
    List<String> types = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.java")) {
        for (Path p : ds) files.add(p);
      }
    }
    files.sort(Comparator.comparing(Path::toString));
    // Services: in the order the IDL declares them is not known from the files; sort by name,
    // then fix the order below from the IDL text where possible.
    Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    for (Path p : files) {
      String text = Files.readString(p, StandardCharsets.UTF_8);
      String cls = p.getFileName().toString().replaceAll("\\.java$", "");
      Matcher td = TYPE_DECL.matcher(text);
      if (td.find() && td.group(1).equals(cls)) {
        types.add(cls);
        continue;
      }
      Matcher im = IFACE.matcher(text);
      if (text.contains("\npublic class " + cls + " {") && im.find()) {
        int start = im.end();
        int end = text.indexOf("\n  }\n", start);
        String body = text.substring(start, end < 0 ? text.length() : end);
        List<String> fns = new ArrayList<>();
        Matcher mm = METHOD.matcher(body);
        while (mm.find()) fns.add(mm.group(1));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", cls);
        s.put("functions", fns);
        String ext = im.group(2);
        s.put("extends", ext == null ? null : ext.substring(ext.lastIndexOf('.') + 1));
        services.put(cls, s);
      }
    }
    Collections.sort(types);
    m.types = types;
    m.services = new ArrayList<>(services.values());
    // Declaration order of services, as the IDL has them.
    String idl = j.files.get(j.entry);
    Map<String, Integer> pos = new HashMap<>();
    Matcher sm = Pattern.compile("\\bservice\\s+(\\w+)").matcher(idl);
    while (sm.find()) pos.putIfAbsent(sm.group(1), sm.start());
    m.services.sort(Comparator.comparingInt(s -> pos.getOrDefault((String) s.get("name"), Integer.MAX_VALUE)));
  }

  // ---- the cache --------------------------------------------------------------------------------

  private void finish(Job j, Path batchOut) throws IOException {
    Path top = batchOut.resolve("tc_" + j.hash);
    Path tmp = Files.createTempDirectory(cacheRoot, "tmp-" + j.hash + "-");
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes);
    if (Files.isDirectory(top)) Files.move(top, classes.resolve("tc_" + j.hash));
    Files.writeString(tmp.resolve("meta.json"), Json.write(metaJson(j.meta)), StandardCharsets.UTF_8);
    Path dest = cacheRoot.resolve(j.hash);
    try {
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      Peer.deleteTree(tmp); // another process made it meanwhile
    }
    synchronized (stats) {
      stats.compiledSchemas++;
    }
    Peer.deleteTree(j.stage);
    Built b = readCache(j.hash);
    j.future.complete(b != null ? b : new Built(null, new PeerError("IdlError", "the compiled schema vanished from " + dest)));
  }

  private void storeError(Job j, String msg) {
    try {
      Path tmp = Files.createTempDirectory(cacheRoot, "tmp-" + j.hash + "-");
      Files.writeString(tmp.resolve("error.json"), Json.write(Map.of("type", "IdlError", "message", msg)), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, cacheRoot.resolve(j.hash), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        Peer.deleteTree(tmp);
      }
    } catch (IOException e) {
      Peer.log("cannot cache the error of " + j.hash + ": " + e);
    }
  }

  private static Map<String, Object> metaJson(Meta m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("hash", m.hash);
    o.put("entryPackage", m.entryPackage);
    o.put("packages", new LinkedHashMap<String, Object>(m.packages));
    o.put("types", new ArrayList<Object>(m.types));
    o.put("services", new ArrayList<Object>(m.services));
    return o;
  }

  @SuppressWarnings("unchecked")
  private Built readCache(String hash) {
    Path dir = cacheRoot.resolve(hash);
    try {
      Path err = dir.resolve("error.json");
      if (Files.isRegularFile(err)) {
        Map<String, Object> e = (Map<String, Object>) Json.parse(Files.readString(err, StandardCharsets.UTF_8));
        return new Built(null, new PeerError((String) e.get("type"), (String) e.get("message")));
      }
      Path mf = dir.resolve("meta.json");
      if (!Files.isRegularFile(mf)) return null;
      try {
        Files.setLastModifiedTime(mf, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis())); // used: keep
      } catch (IOException e) {
        // read-only cache: fine
      }
      Map<String, Object> o = (Map<String, Object>) Json.parse(Files.readString(mf, StandardCharsets.UTF_8));
      Meta m = new Meta();
      m.hash = (String) o.get("hash");
      m.entryPackage = (String) o.get("entryPackage");
      for (Map.Entry<String, Object> e : ((Map<String, Object>) o.get("packages")).entrySet()) m.packages.put(e.getKey(), (String) e.getValue());
      for (Object t : (List<Object>) o.get("types")) m.types.add((String) t);
      for (Object s : (List<Object>) o.get("services")) m.services.add((Map<String, Object>) s);
      m.classes = dir.resolve("classes");
      return new Built(m, null);
    } catch (IOException | Json.ParseError | RuntimeException e) {
      Peer.log("unreadable cache entry " + dir + ": " + e);
      return null;
    }
  }

  static void checkWritable(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
