package main

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

// idlTokens cut Thrift IDL as Apache's lexer does (string literals without escapes) and as
// escape-aware lexers do: comments, literals, identifiers, any other character.
var idlTokens = []*regexp.Regexp{
	regexp.MustCompile(`//[^\n]*|#[^\n]*|/\*[\s\S]*?\*/|"[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_.]*|\S`),
	regexp.MustCompile(`//[^\n]*|#[^\n]*|/\*[\s\S]*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_][A-Za-z0-9_.]*|\S`),
}

// idlIncludes returns the file names of every `include "…"` in an IDL text, as either kind of
// lexer reads it (comments skipped), so that no include the compiler would follow is missed.
func idlIncludes(text string) []string {
	seen := map[string]bool{}
	var found []string
	for _, re := range idlTokens {
		tokens := re.FindAllString(text, -1)
		for i := 0; i+1 < len(tokens); i++ {
			next := tokens[i+1]
			if tokens[i] == "include" && len(next) >= 2 && (next[0] == '"' || next[0] == '\'') && next[len(next)-1] == next[0] {
				inc := next[1 : len(next)-1]
				if !seen[inc] {
					seen[inc] = true
					found = append(found, inc)
				}
			}
		}
	}
	return found
}

// checkIncludes refuses an IDL set whose includes could reach a file the harness did not send:
// an include is resolved from the including file's folder (then the entry's); it must be
// relative, without backslashes, never climb out of the set's root, and name one of the files.
// BadRequest for an include that is absolute or climbs out, IdlError for one that names no file
// of the set (what the compiler would have said).
func checkIncludes(files map[string]string, entry string) error {
	names := map[string]bool{}
	var sorted []string
	for f := range files {
		names[path.Clean(f)] = true
		sorted = append(sorted, path.Clean(f))
	}
	sort.Strings(sorted)
	entryDir := path.Dir(path.Clean(entry))
	for rel, text := range files {
		base := path.Dir(path.Clean(rel))
		for _, inc := range idlIncludes(text) {
			where := "load_idl: '" + rel + "' includes '" + inc + "'"
			if inc == "" || strings.ContainsAny(inc, "\\\x00") || strings.HasPrefix(inc, "/") {
				return perr("BadRequest", "%s: an include must be a relative path without backslashes, to one of the files sent", where)
			}
			found := false
			for _, folder := range []string{base, entryDir} {
				target := path.Clean(path.Join(folder, inc))
				if target == ".." || strings.HasPrefix(target, "../") {
					return perr("BadRequest", "%s, which climbs out of the files sent; an include must name one of them", where)
				}
				if names[target] {
					found = true
					break
				}
			}
			if !found {
				return perr("IdlError", "%s, which is not one of the files sent: %s", where, strings.Join(sorted, ", "))
			}
		}
	}
	return nil
}
