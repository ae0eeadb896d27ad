package thriftconform;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small JSON reader and writer for the control channel. Objects are LinkedHashMap, arrays
 * ArrayList, numbers Long (integers that fit), BigInteger (larger integers) or Double.
 */
final class Json {
  private Json() {}

  static final class ParseError extends Exception {
    ParseError(String m) {
      super(m);
    }
  }

  static Object parse(String s) throws ParseError {
    Reader r = new Reader(s);
    r.ws();
    Object v = r.value(0);
    r.ws();
    if (r.i != s.length()) throw new ParseError("extra data at " + r.i);
    return v;
  }

  private static final class Reader {
    final String s;
    int i;

    Reader(String s) {
      this.s = s;
    }

    void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
        else break;
      }
    }

    ParseError err(String m) {
      return new ParseError(m + " at " + i);
    }

    Object value(int depth) throws ParseError {
      if (depth > 2000) throw err("nested too deeply");
      if (i >= s.length()) throw err("unexpected end");
      char c = s.charAt(i);
      switch (c) {
        case '{': {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          ws();
          if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return m;
          }
          while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') throw err("expected a key");
            String k = string();
            ws();
            if (i >= s.length() || s.charAt(i) != ':') throw err("expected ':'");
            i++;
            ws();
            m.put(k, value(depth + 1));
            ws();
            if (i >= s.length()) throw err("unexpected end");
            char d = s.charAt(i++);
            if (d == '}') return m;
            if (d != ',') throw err("expected ',' or '}'");
          }
        }
        case '[': {
          i++;
          List<Object> l = new ArrayList<>();
          ws();
          if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return l;
          }
          while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            if (i >= s.length()) throw err("unexpected end");
            char d = s.charAt(i++);
            if (d == ']') return l;
            if (d != ',') throw err("expected ',' or ']'");
          }
        }
        case '"':
          return string();
        case 't':
          return lit("true", Boolean.TRUE);
        case 'f':
          return lit("false", Boolean.FALSE);
        case 'n':
          return lit("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) return number();
          throw err("unexpected character '" + c + "'");
      }
    }

    Object lit(String w, Object v) throws ParseError {
      if (!s.startsWith(w, i)) throw err("bad literal");
      i += w.length();
      return v;
    }

    Object number() throws ParseError {
      int st = i;
      if (s.charAt(i) == '-') i++;
      boolean frac = false;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c >= '0' && c <= '9') i++;
        else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          frac = true;
          i++;
        } else break;
      }
      String t = s.substring(st, i);
      try {
        if (!frac) {
          if (t.length() < 19) return Long.parseLong(t);
          BigInteger b = new BigInteger(t);
          if (b.bitLength() < 64) return b.longValue();
          return b;
        }
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw err("bad number " + t);
      }
    }

    String string() throws ParseError {
      i++; // opening quote
      StringBuilder b = null;
      int st = i;
      while (true) {
        if (i >= s.length()) throw err("unterminated string");
        char c = s.charAt(i);
        if (c == '"') {
          String out = b == null ? s.substring(st, i) : b.append(s, st, i).toString();
          i++;
          return out;
        }
        if (c == '\\') {
          if (b == null) b = new StringBuilder();
          b.append(s, st, i);
          i++;
          if (i >= s.length()) throw err("bad escape");
          char e = s.charAt(i++);
          switch (e) {
            case '"': b.append('"'); break;
            case '\\': b.append('\\'); break;
            case '/': b.append('/'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'n': b.append('\n'); break;
            case 'r': b.append('\r'); break;
            case 't': b.append('\t'); break;
            case 'u':
              if (i + 4 > s.length()) throw err("bad \\u escape");
              try {
                b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              } catch (NumberFormatException x) {
                throw err("bad \\u escape");
              }
              i += 4;
              break;
            default:
              throw err("bad escape \\" + e);
          }
          st = i;
        } else if (c < 0x20) {
          throw err("control character in string");
        } else {
          i++;
        }
      }
    }
  }

  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v, false);
    return b.toString();
  }

  /** Python's json.dumps(v, sort_keys=True, separators=(",", ":")) (ensure_ascii), near enough. */
  static String canonical(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v, true);
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  static void write(StringBuilder b, Object v, boolean canon) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String) {
      str(b, (String) v, canon);
    } else if (v instanceof Boolean) {
      b.append(((Boolean) v) ? "true" : "false");
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("NaN/Infinity in JSON");
      if (d == Math.rint(d) && Math.abs(d) < 1e16) {
        b.append(new BigDecimal(d).toPlainString()).append(".0");
      } else {
        b.append(Double.toString(d));
      }
    } else if (v instanceof Number) {
      b.append(v.toString());
    } else if (v instanceof Map) {
      Map<String, Object> m = (Map<String, Object>) v;
      if (canon) m = new TreeMap<>(m);
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entrySet()) {
        if (!first) b.append(',');
        first = false;
        str(b, e.getKey(), canon);
        b.append(':');
        write(b, e.getValue(), canon);
      }
      b.append('}');
    } else if (v instanceof List) {
      b.append('[');
      boolean first = true;
      for (Object o : (List<Object>) v) {
        if (!first) b.append(',');
        first = false;
        write(b, o, canon);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("not JSON: " + v.getClass().getName());
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static void str(StringBuilder b, String s, boolean ascii) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        case '\b': b.append("\\b"); break;
        case '\f': b.append("\\f"); break;
        default:
          if (c < 0x20 || (ascii && c > 0x7e) || Character.isSurrogate(c) && !ascii && !validSurrogate(s, i)) {
            b.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }

  /** A lone surrogate cannot be written as UTF-8: it is escaped instead (as Python does). */
  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
