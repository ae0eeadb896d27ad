package thriftconform;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.thrift.TBase;
import thriftconform.Types.FieldDesc;
import thriftconform.Types.StructInfo;
import thriftconform.Types.TypeDesc;

/** One loaded IDL (a `load_idl` handle): its class loader and name lookups. */
final class Module {
  final String handle;
  final Schemas.Built built;
  final ClassLoader loader;
  final Map<String, String> includePackages = new HashMap<>(); // file base name -> package
  private final Map<String, FunctionInfo> functions = new ConcurrentHashMap<>();
  private final Map<String, StructInfo> structsByName = new ConcurrentHashMap<>();

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  Module(String handle, Schemas.Built b) {
    this.handle = handle;
    this.built = b;
    this.loader = b.loader;
    for (Map.Entry<String, String> e : b.meta.packages.entrySet()) {
      String base = e.getKey().replace('\\', '/');
      base = base.substring(base.lastIndexOf('/') + 1);
      if (base.endsWith(".thrift")) base = base.substring(0, base.length() - 7);
      includePackages.putIfAbsent(base, e.getValue());
    }
  }

  static final class FunctionInfo {
    String name;
    Class<?> service; // the service class that declares it (maybe a parent)
    StructInfo args;
    StructInfo result; // null for oneway
    List<FieldDesc> params = new ArrayList<>();
    TypeDesc returns; // null for void
    List<FieldDesc> exceptions = new ArrayList<>();
    boolean oneway;
  }

  /** Splits "inc.Name" into (package, "Name"); a bare name is in the entry's package. */
  private String[] packageOf(String dotted, String errType) throws PeerError {
    int dot = dotted.lastIndexOf('.');
    if (dot < 0) {
      if (!IDENT.matcher(dotted).matches()) throw new PeerError(errType, "no " + what(errType) + " '" + dotted + "' in module " + handle);
      return new String[] {built.meta.entryPackage, dotted};
    }
    String head = dotted.substring(0, dot);
    String name = dotted.substring(dot + 1);
    String pkg = includePackages.get(head);
    if (pkg == null) throw new PeerError("UnknownType".equals(errType) ? "UnknownType" : errType, "no included module '" + head + "' in " + handle);
    if (!IDENT.matcher(name).matches()) throw new PeerError(errType, "no " + what(errType) + " '" + dotted + "' in module " + handle);
    return new String[] {pkg, name};
  }

  private static String what(String errType) {
    return errType.equals("UnknownService") ? "service" : "struct, union or exception";
  }

  private Class<?> load(String name) {
    try {
      return Class.forName(name, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  Class<?> serviceClass(String name) throws PeerError {
    String[] pn = packageOf(name, "UnknownService");
    Class<?> c = load(pn[0] + "." + pn[1]);
    Class<?> iface = c == null ? null : load(c.getName() + "$Iface");
    if (iface == null || !iface.isInterface()) throw new PeerError("UnknownService", "no service '" + name + "' in module " + handle);
    return c;
  }

  FunctionInfo function(Class<?> svc, String fname) throws PeerError {
    String key = svc.getName() + "#" + fname;
    FunctionInfo fi = functions.get(key);
    if (fi != null) return fi;
    Class<?> iface = load(svc.getName() + "$Iface");
    Method m = null;
    if (IDENT.matcher(fname).matches()) {
      for (Method x : iface.getMethods()) {
        if (x.getName().equals(fname)) m = x;
      }
    }
    if (m == null) throw new PeerError("UnknownFunction", "service " + svc.getSimpleName() + " has no function '" + fname + "'");
    fi = new FunctionInfo();
    fi.name = fname;
    fi.service = m.getDeclaringClass().getEnclosingClass();
    Class<?> argsCls = load(fi.service.getName() + "$" + fname + "_args");
    if (argsCls == null) throw new PeerError("UnknownFunction", "service " + svc.getSimpleName() + " has no function '" + fname + "' (no " + fname + "_args)");
    fi.args = Types.struct(argsCls);
    fi.params.addAll(fi.args.fields);
    Class<?> resCls = load(fi.service.getName() + "$" + fname + "_result");
    if (resCls == null) {
      fi.oneway = true;
    } else {
      fi.result = Types.struct(resCls);
      for (FieldDesc f : fi.result.fields) {
        if (f.id == 0) fi.returns = f.type;
        else fi.exceptions.add(f);
      }
    }
    functions.put(key, fi);
    return fi;
  }

  /** "Type", "include.Type" or "Service.fn.request|response". */
  StructInfo structType(String name) throws PeerError {
    StructInfo si = structsByName.get(name);
    if (si != null) return si;
    String[] parts = name.split("\\.", -1);
    if (parts.length >= 3 && (parts[parts.length - 1].equals("request") || parts[parts.length - 1].equals("response"))) {
      String svcName = String.join(".", java.util.Arrays.copyOfRange(parts, 0, parts.length - 2));
      Class<?> svc = serviceClass(svcName);
      FunctionInfo fi = function(svc, parts[parts.length - 2]);
      if (parts[parts.length - 1].equals("request")) si = fi.args;
      else if (fi.result == null) throw new PeerError("UnknownType", name + ": a oneway function has no response");
      else si = fi.result;
    } else {
      String[] pn = packageOf(name, "UnknownType");
      Class<?> c = load(pn[0] + "." + pn[1]);
      if (c == null || !TBase.class.isAssignableFrom(c) || c.getEnclosingClass() != null) {
        throw new PeerError("UnknownType", "no struct, union or exception '" + name + "' in module " + handle);
      }
      si = Types.struct(c);
    }
    structsByName.put(name, si);
    return si;
  }
}
