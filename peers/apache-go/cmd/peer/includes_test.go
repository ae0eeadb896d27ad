package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestIdlIncludesAsEitherLexerReadsThem(t *testing.T) {
	text := "include \"a.thrift\" // include \"b.thrift\"\n/* include \"c.thrift\" */ cpp_include \"d.h\" include'e.thrift'\nconst string s = 'x\\'' include \"../f.thrift\" '\n"
	got := idlIncludes(text)
	want := []string{"a.thrift", "e.thrift", "../f.thrift"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("idlIncludes = %q, want %q", got, want)
	}
}

func TestCheckIncludes(t *testing.T) {
	cases := []struct {
		files map[string]string
		typ   string
		says  string
	}{
		{map[string]string{"main.thrift": `include "../../../../etc/passwd"`}, "BadRequest", "climbs out"},
		{map[string]string{"main.thrift": `include "/etc/passwd"`}, "BadRequest", "relative path"},
		{map[string]string{"main.thrift": `include "missing.thrift"`}, "IdlError", "not one of the files sent"},
		{map[string]string{"main.thrift": `include "sub/a.thrift"`, "sub/a.thrift": `include "../b.thrift"`, "b.thrift": ""}, "", ""},
	}
	for _, c := range cases {
		err := checkIncludes(c.files, "main.thrift")
		if c.typ == "" {
			if err != nil {
				t.Errorf("%v: %v", c.files, err)
			}
			continue
		}
		var pe *peerError
		if !errors.As(err, &pe) || pe.typ != c.typ || !strings.Contains(pe.msg, c.says) {
			t.Errorf("%v: got %v, want %s ... %s", c.files, err, c.typ, c.says)
		}
	}
}
