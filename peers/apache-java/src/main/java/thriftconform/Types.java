package thriftconform;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.thrift.TBase;
import org.apache.thrift.TEnum;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TUnion;
import org.apache.thrift.meta_data.FieldMetaData;

/**
 * Library-neutral type descriptions built by reflection from the generated classes, and the JSON
 * value encoding of peers/README.md. The generated `metaDataMap` gives each struct's fields (ids,
 * names, declaration order); the Java types of the generated fields (or, for unions, of the static
 * factory methods) give the full type, because the metadata of a typedef'd field keeps only the
 * typedef's name (`new FieldValueMetaData(TType.LIST, "IL")`).
 */
final class Types {
  private Types() {}

  enum Kind { BOOL, I8, I16, I32, I64, DOUBLE, STRING, BINARY, LIST, SET, MAP, ENUM, STRUCT }

  static final class TypeDesc {
    final Kind kind;
    TypeDesc elem; // list/set element, map value
    TypeDesc key; // map key
    StructInfo struct;
    Class<?> enumClass;
    Method findByValue;

    TypeDesc(Kind k) {
      this.kind = k;
    }

    @Override
    public String toString() {
      switch (kind) {
        case LIST: return "list<" + elem + ">";
        case SET: return "set<" + elem + ">";
        case MAP: return "map<" + key + "," + elem + ">";
        case STRUCT: return struct.name;
        case ENUM: return enumClass.getSimpleName();
        default: return kind.name().toLowerCase();
      }
    }
  }

  static final class FieldDesc {
    final short id;
    final String name;
    final TypeDesc type;
    final TFieldIdEnum fieldEnum;

    FieldDesc(short id, String name, TypeDesc type, TFieldIdEnum fe) {
      this.id = id;
      this.name = name;
      this.type = type;
      this.fieldEnum = fe;
    }
  }

  static final class StructInfo {
    final Class<?> cls;
    final String name;
    final String kind; // struct | union | exception
    final List<FieldDesc> fields = new ArrayList<>();
    final Map<String, FieldDesc> byName = new HashMap<>();

    StructInfo(Class<?> cls) {
      this.cls = cls;
      this.name = cls.getSimpleName();
      this.kind = TUnion.class.isAssignableFrom(cls) ? "union" : Throwable.class.isAssignableFrom(cls) ? "exception" : "struct";
    }

    FieldDesc field(String n) {
      return byName.get(n);
    }

    TBase<?, ?> newInstance() throws ReflectiveOperationException {
      return (TBase<?, ?>) cls.getConstructor().newInstance();
    }
  }

  /** StructInfos by class (a class loader per schema keeps classes of different loads apart). */
  private static final Map<Class<?>, StructInfo> STRUCTS = new ConcurrentHashMap<>();

  static StructInfo struct(Class<?> cls) {
    StructInfo si = STRUCTS.get(cls);
    if (si != null) return si;
    synchronized (STRUCTS) {
      si = STRUCTS.get(cls);
      if (si != null) return si;
      si = new StructInfo(cls);
      STRUCTS.put(cls, si); // before the fields: recursive types
      try {
        fill(si);
      } catch (RuntimeException | ReflectiveOperationException e) {
        STRUCTS.remove(cls);
        throw new IllegalStateException("cannot describe " + cls.getName() + ": " + e, e);
      }
      return si;
    }
  }

  static void forget(ClassLoader loader) {
    STRUCTS.keySet().removeIf(c -> c.getClassLoader() == loader);
  }

  @SuppressWarnings("unchecked")
  private static void fill(StructInfo si) throws ReflectiveOperationException {
    Map<? extends TFieldIdEnum, FieldMetaData> meta = (Map<? extends TFieldIdEnum, FieldMetaData>) si.cls.getField("metaDataMap").get(null);
    boolean union = si.kind.equals("union");
    for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> e : meta.entrySet()) {
      TFieldIdEnum fe = e.getKey();
      String name = fe.getFieldName();
      Type jt = union ? unionFieldType(si.cls, name) : si.cls.getField(name).getGenericType();
      FieldDesc fd = new FieldDesc(fe.getThriftFieldId(), name, typeOf(jt), fe);
      si.fields.add(fd);
      si.byName.put(name, fd);
    }
  }

  private static Type unionFieldType(Class<?> cls, String name) throws NoSuchMethodException {
    for (Method m : cls.getMethods()) {
      if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1 && m.getReturnType() == cls) {
        return m.getGenericParameterTypes()[0];
      }
    }
    throw new NoSuchMethodException(cls.getName() + "." + name + "(value)");
  }

  static TypeDesc typeOf(Type t) throws NoSuchMethodException {
    if (t instanceof ParameterizedType) {
      ParameterizedType p = (ParameterizedType) t;
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] a = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        TypeDesc d = new TypeDesc(Kind.LIST);
        d.elem = typeOf(a[0]);
        return d;
      }
      if (Set.class.isAssignableFrom(raw)) {
        TypeDesc d = new TypeDesc(Kind.SET);
        d.elem = typeOf(a[0]);
        return d;
      }
      if (Map.class.isAssignableFrom(raw)) {
        TypeDesc d = new TypeDesc(Kind.MAP);
        d.key = typeOf(a[0]);
        d.elem = typeOf(a[1]);
        return d;
      }
      throw new IllegalArgumentException("unknown generic type " + t);
    }
    Class<?> c = (Class<?>) t;
    if (c == boolean.class || c == Boolean.class) return new TypeDesc(Kind.BOOL);
    if (c == byte.class || c == Byte.class) return new TypeDesc(Kind.I8);
    if (c == short.class || c == Short.class) return new TypeDesc(Kind.I16);
    if (c == int.class || c == Integer.class) return new TypeDesc(Kind.I32);
    if (c == long.class || c == Long.class) return new TypeDesc(Kind.I64);
    if (c == double.class || c == Double.class) return new TypeDesc(Kind.DOUBLE);
    if (c == String.class) return new TypeDesc(Kind.STRING);
    if (c == ByteBuffer.class || c == byte[].class) return new TypeDesc(Kind.BINARY);
    if (c.isEnum() && TEnum.class.isAssignableFrom(c)) {
      TypeDesc d = new TypeDesc(Kind.ENUM);
      d.enumClass = c;
      d.findByValue = c.getMethod("findByValue", int.class);
      return d;
    }
    if (TBase.class.isAssignableFrom(c)) {
      TypeDesc d = new TypeDesc(Kind.STRUCT);
      d.struct = struct(c);
      return d;
    }
    throw new IllegalArgumentException("unknown type " + c.getName());
  }

  /** Type equality of the generic handler: an enum equals i32; structs compare by class. */
  static boolean sameType(TypeDesc a, TypeDesc b) {
    if (a == null || b == null) return a == b;
    Kind ka = a.kind == Kind.ENUM ? Kind.I32 : a.kind;
    Kind kb = b.kind == Kind.ENUM ? Kind.I32 : b.kind;
    if (ka != kb) return false;
    switch (ka) {
      case LIST:
      case SET:
        return sameType(a.elem, b.elem);
      case MAP:
        return sameType(a.key, b.key) && sameType(a.elem, b.elem);
      case STRUCT:
        return a.struct.cls == b.struct.cls;
      default:
        return true;
    }
  }

  // ---- library value -> JSON ------------------------------------------------------------------

  static Object doubleToJson(double d) {
    if (Double.isNaN(d)) return special("NaN");
    if (Double.isInfinite(d)) return special(d > 0 ? "Infinity" : "-Infinity");
    if (d == 0.0 && 1.0 / d < 0) return special("-0");
    return d;
  }

  private static Map<String, Object> special(String s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("$double", s);
    return m;
  }

  static Map<String, Object> one(String k, Object v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k, v);
    return m;
  }

  static byte[] bytesOf(Object v) {
    if (v instanceof byte[]) return (byte[]) v;
    ByteBuffer b = ((ByteBuffer) v).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static Object toJson(TypeDesc t, Object v, String path) throws ValueError {
    if (v == null) {
      if (t.kind == Kind.ENUM) {
        throw new ValueError(path + ": null where a " + t + " is needed (the generated code reads an enum value the IDL does not declare as null)");
      }
      throw new ValueError(path + ": unset (null) where a " + t + " is needed");
    }
    switch (t.kind) {
      case BOOL:
        return (Boolean) v;
      case I8:
      case I16:
      case I32:
        return ((Number) v).longValue();
      case I64:
        return one("$i64", Long.toString((Long) v));
      case ENUM:
        return (long) ((TEnum) v).getValue();
      case DOUBLE:
        return doubleToJson((Double) v);
      case STRING:
        return (String) v;
      case BINARY:
        return one("$binary", Base64.getEncoder().encodeToString(bytesOf(v)));
      case LIST: {
        List<Object> out = new ArrayList<>();
        int i = 0;
        for (Object e : (Collection<?>) v) out.add(toJson(t.elem, e, path + "[" + i++ + "]"));
        return out;
      }
      case SET: {
        List<Object> out = new ArrayList<>();
        for (Object e : (Collection<?>) v) out.add(toJson(t.elem, e, path + "{}"));
        sortCanonical(out, false);
        return one("$set", out);
      }
      case MAP: {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          List<Object> pair = new ArrayList<>(2);
          pair.add(toJson(t.key, e.getKey(), path + "{key}"));
          pair.add(toJson(t.elem, e.getValue(), path + "[" + e.getKey() + "]"));
          out.add(pair);
        }
        sortCanonical(out, true);
        return one("$map", out);
      }
      case STRUCT:
        return structToJson(t.struct, v, path);
      default:
        throw new ValueError(path + ": unknown kind " + t.kind);
    }
  }

  @SuppressWarnings("unchecked")
  private static void sortCanonical(List<Object> items, boolean byKey) {
    List<String> keys = new ArrayList<>(items.size());
    for (Object o : items) keys.add(Json.canonical(byKey ? ((List<Object>) o).get(0) : o));
    Integer[] idx = new Integer[items.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    java.util.Arrays.sort(idx, (a, b) -> keys.get(a).compareTo(keys.get(b)));
    List<Object> sorted = new ArrayList<>(items.size());
    for (Integer i : idx) sorted.add(items.get(i));
    items.clear();
    items.addAll(sorted);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Map<String, Object> structToJson(StructInfo s, Object obj, String path) throws ValueError {
    TBase b = (TBase) obj;
    Map<String, Object> out = new LinkedHashMap<>();
    String p = path == null || path.isEmpty() ? s.name : path;
    for (FieldDesc f : s.fields) {
      if (!b.isSet(f.fieldEnum)) continue;
      Object v = b.getFieldValue(f.fieldEnum);
      if (v == null) continue; // e.g. an enum field whose value the enum does not define
      out.put(f.name, toJson(f.type, v, p + "." + f.name));
    }
    return out;
  }

  // ---- JSON -> library value ------------------------------------------------------------------

  static final class ValueError extends Exception {
    ValueError(String m) {
      super(m);
    }

    ValueError(String m, Throwable cause) {
      super(m, cause);
    }
  }

  static String shortJson(Object j) {
    String s;
    try {
      s = Json.write(j);
    } catch (RuntimeException e) {
      s = String.valueOf(j);
    }
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static boolean isOnly(Object j, String key) {
    return j instanceof Map && ((Map<?, ?>) j).size() == 1 && ((Map<?, ?>) j).containsKey(key);
  }

  static BigInteger integer(TypeDesc t, Object j, String path) throws ValueError {
    if (isOnly(j, "$i64") && ((Map<?, ?>) j).get("$i64") instanceof String) {
      String s = (String) ((Map<?, ?>) j).get("$i64");
      try {
        return new BigInteger(s.trim().replace("_", ""), 10);
      } catch (NumberFormatException e) {
        throw new ValueError(path + ": bad $i64 " + shortJson(s));
      }
    }
    if (j instanceof Long) return BigInteger.valueOf((Long) j);
    if (j instanceof BigInteger) return (BigInteger) j;
    if (j instanceof Double) {
      double d = (Double) j;
      if (!Double.isInfinite(d) && d == Math.rint(d)) return new java.math.BigDecimal(d).toBigInteger();
    }
    throw new ValueError(path + ": expected an integer for " + t + ", got " + shortJson(j));
  }

  private static long ranged(TypeDesc t, Object j, String path, long lo, long hi) throws ValueError {
    BigInteger b = integer(t, j, path);
    if (b.compareTo(BigInteger.valueOf(lo)) < 0 || b.compareTo(BigInteger.valueOf(hi)) > 0) {
      throw new ValueError(path + ": " + b + " is out of range for " + t);
    }
    return b.longValue();
  }

  static double dbl(Object j, String path) throws ValueError {
    if (isOnly(j, "$double")) {
      Object s = ((Map<?, ?>) j).get("$double");
      if ("NaN".equals(s)) return Double.NaN;
      if ("Infinity".equals(s)) return Double.POSITIVE_INFINITY;
      if ("-Infinity".equals(s)) return Double.NEGATIVE_INFINITY;
      if ("-0".equals(s)) return -0.0;
      throw new ValueError(path + ": bad $double " + shortJson(s));
    }
    if (j instanceof Boolean || !(j instanceof Number)) throw new ValueError(path + ": expected a number for double, got " + shortJson(j));
    return ((Number) j).doubleValue();
  }

  @SuppressWarnings("unchecked")
  static Object fromJson(TypeDesc t, Object j, String path) throws ValueError {
    if (j == null) throw new ValueError(path + ": null is not a " + t + " (leave the field out instead)");
    switch (t.kind) {
      case BOOL:
        if (!(j instanceof Boolean)) throw new ValueError(path + ": expected true/false, got " + shortJson(j));
        return j;
      case I8:
        return (byte) ranged(t, j, path, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case I16:
        return (short) ranged(t, j, path, Short.MIN_VALUE, Short.MAX_VALUE);
      case I32:
        return (int) ranged(t, j, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case I64:
        return ranged(t, j, path, Long.MIN_VALUE, Long.MAX_VALUE);
      case ENUM: {
        int v = (int) ranged(t, j, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
        Object e;
        try {
          e = t.findByValue.invoke(null, v);
        } catch (ReflectiveOperationException x) {
          throw new ValueError(path + ": " + x, x);
        }
        if (e == null) {
          throw new ValueError(path + ": " + v + " is not a value of enum " + t.enumClass.getSimpleName() + " (a Java enum cannot hold undeclared values)");
        }
        return e;
      }
      case DOUBLE:
        return dbl(j, path);
      case STRING:
        if (!(j instanceof String)) throw new ValueError(path + ": expected a string, got " + shortJson(j));
        return j;
      case BINARY: {
        if (isOnly(j, "$binary") && ((Map<?, ?>) j).get("$binary") instanceof String) {
          try {
            return ByteBuffer.wrap(Base64.getDecoder().decode((String) ((Map<?, ?>) j).get("$binary")));
          } catch (IllegalArgumentException e) {
            throw new ValueError(path + ": bad base64 in $binary");
          }
        }
        throw new ValueError(path + ": expected {\"$binary\": base64}, got " + shortJson(j));
      }
      case LIST: {
        if (!(j instanceof List)) throw new ValueError(path + ": expected an array, got " + shortJson(j));
        List<Object> in = (List<Object>) j;
        List<Object> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) out.add(fromJson(t.elem, in.get(i), path + "[" + i + "]"));
        return out;
      }
      case SET: {
        Object items = isOnly(j, "$set") ? ((Map<?, ?>) j).get("$set") : j;
        if (!(items instanceof List)) throw new ValueError(path + ": expected {\"$set\": [...]}, got " + shortJson(j));
        List<Object> in = (List<Object>) items;
        Set<Object> out = new LinkedHashSet<>();
        for (int i = 0; i < in.size(); i++) out.add(fromJson(t.elem, in.get(i), path + "{" + i + "}"));
        return out;
      }
      case MAP: {
        List<Object> entries;
        if (isOnly(j, "$map")) {
          Object e = ((Map<?, ?>) j).get("$map");
          if (!(e instanceof List)) throw new ValueError(path + ": $map must hold an array of [key, value] pairs");
          entries = (List<Object>) e;
        } else if (j instanceof Map && t.key.kind == Kind.STRING) {
          entries = new ArrayList<>();
          for (Map.Entry<String, Object> e : ((Map<String, Object>) j).entrySet()) {
            List<Object> pair = new ArrayList<>(2);
            pair.add(e.getKey());
            pair.add(e.getValue());
            entries.add(pair);
          }
        } else {
          throw new ValueError(path + ": expected {\"$map\": [[k, v], ...]}, got " + shortJson(j));
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
          Object e = entries.get(i);
          if (!(e instanceof List) || ((List<Object>) e).size() != 2) throw new ValueError(path + ": $map entry " + i + " is not a [key, value] pair");
          List<Object> pair = (List<Object>) e;
          Object k = fromJson(t.key, pair.get(0), path + "{key " + i + "}");
          out.put(k, fromJson(t.elem, pair.get(1), path + "[" + i + "]"));
        }
        return out;
      }
      case STRUCT:
        return structFromJson(t.struct, j, path);
      default:
        throw new ValueError(path + ": unknown kind " + t.kind);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static TBase<?, ?> structFromJson(StructInfo s, Object j, String path) throws ValueError {
    String p = path == null || path.isEmpty() ? s.name : path;
    if (!(j instanceof Map)) throw new ValueError(p + ": expected an object for " + s.name + ", got " + shortJson(j));
    TBase obj;
    try {
      obj = s.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new ValueError(p + ": cannot build " + s.name + ": " + e, e);
    }
    for (Map.Entry<String, Object> e : ((Map<String, Object>) j).entrySet()) {
      FieldDesc f = s.field(e.getKey());
      if (f == null) throw new ValueError(p + ": " + s.name + " has no field named '" + e.getKey() + "'");
      Object v = fromJson(f.type, e.getValue(), p + "." + f.name);
      try {
        obj.setFieldValue(f.fieldEnum, v);
      } catch (RuntimeException x) {
        throw new ValueError(p + ": cannot build " + s.name + ": " + x, x);
      }
    }
    return obj;
  }
}
