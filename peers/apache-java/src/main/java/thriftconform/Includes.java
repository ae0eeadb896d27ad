package thriftconform;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps every include of a load_idl inside the IDL set the harness sent: the thrift compiler
 * follows an include wherever it points (`../../../etc/passwd`) and echoes what it read in its
 * error, so includes are checked before the files are written.
 */
final class Includes {
  private Includes() {}

  /**
   * Thrift IDL tokens as Apache's lexer cuts them (string literals without escapes) and as
   * escape-aware lexers do: comments, literals, identifiers, any other character.
   */
  private static final List<Pattern> TOKENS = List.of(
      Pattern.compile("//[^\\n]*|#[^\\n]*|/\\*[\\s\\S]*?\\*/|\"[^\"]*\"|'[^']*'|[A-Za-z_][A-Za-z0-9_.]*|\\S"),
      Pattern.compile("//[^\\n]*|#[^\\n]*|/\\*[\\s\\S]*?\\*/|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*'|[A-Za-z_][A-Za-z0-9_.]*|\\S"));

  /** The file names of every `include "…"` in an IDL text, as either kind of lexer reads it (comments skipped). */
  static List<String> of(String text) {
    Set<String> found = new LinkedHashSet<>();
    for (Pattern p : TOKENS) {
      List<String> tokens = new ArrayList<>();
      Matcher m = p.matcher(text);
      while (m.find()) tokens.add(m.group());
      for (int i = 0; i + 1 < tokens.size(); i++) {
        String next = tokens.get(i + 1);
        if (tokens.get(i).equals("include") && next.length() >= 2 && (next.charAt(0) == '"' || next.charAt(0) == '\'')
            && next.charAt(next.length() - 1) == next.charAt(0)) {
          found.add(next.substring(1, next.length() - 1));
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** Normalises a relative slash path lexically (`a/./b/../c` is `a/c`; a climb out starts with `..`). */
  static String normalize(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) continue;
      if (part.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) out.remove(out.size() - 1);
      else out.add(part);
    }
    return out.isEmpty() ? "." : String.join("/", out);
  }

  private static String dir(String path) {
    String n = normalize(path);
    int i = n.lastIndexOf('/');
    return i < 0 ? "" : n.substring(0, i);
  }

  /**
   * Refuses an IDL set whose includes could reach a file the harness did not send: an include is
   * resolved from the including file's folder (then the entry's); it must be relative, without
   * backslashes, never climb out of the set's root, and name one of the files. Throws PeerError
   * BadRequest for an include that is absolute or climbs out, IdlError for one that names no file
   * of the set (what the compiler would have said).
   */
  static void check(Map<String, String> files, String entry) throws PeerError {
    Set<String> names = new TreeSet<>();
    for (String f : files.keySet()) names.add(normalize(f));
    String entryDir = dir(entry);
    for (Map.Entry<String, String> e : files.entrySet()) {
      String rel = e.getKey();
      String base = dir(rel);
      for (String inc : of(e.getValue())) {
        String where = "load_idl: '" + rel + "' includes '" + inc + "'";
        if (inc.isEmpty() || inc.indexOf('\\') >= 0 || inc.indexOf('\0') >= 0 || inc.startsWith("/")) {
          throw new PeerError("BadRequest", where + ": an include must be a relative path without backslashes, to one of the files sent");
        }
        boolean found = false;
        for (String folder : new LinkedHashSet<>(List.of(base, entryDir))) {
          String target = normalize(folder.isEmpty() ? inc : folder + "/" + inc);
          if (target.equals("..") || target.startsWith("../")) {
            throw new PeerError("BadRequest", where + ", which climbs out of the files sent; an include must name one of them");
          }
          if (names.contains(target)) {
            found = true;
            break;
          }
        }
        if (!found) throw new PeerError("IdlError", where + ", which is not one of the files sent: " + String.join(", ", names));
      }
    }
  }
}
