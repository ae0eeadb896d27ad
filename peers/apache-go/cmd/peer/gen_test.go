package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The JSON generator writes map constants with non-string keys as invalid JSON; the peer drops
// the constants (it does not need them) and keeps the rest readable.
func TestStripConstants(t *testing.T) {
	in := `{"name": "g", "constants": [{"name": "B", "value": {"q": {{}: {}}, "s": "a]}\"["}}], "services": [{"name": "S"}]}`
	var out struct {
		Name      string        `json:"name"`
		Constants []interface{} `json:"constants"`
		Services  []struct {
			Name string `json:"name"`
		} `json:"services"`
	}
	if err := json.Unmarshal(stripConstants([]byte(in)), &out); err != nil {
		t.Fatalf("still invalid: %v", err)
	}
	if out.Name != "g" || len(out.Constants) != 0 || len(out.Services) != 1 || out.Services[0].Name != "S" {
		t.Fatalf("got %+v", out)
	}
	plain := []byte(`{"name": "g"}`)
	if string(stripConstants(plain)) != string(plain) {
		t.Fatal("changed a description without constants")
	}
}

// A main.thrift without `namespace go` is generated as package main, which cannot be imported:
// the package is renamed and its importers get the name main back.
func TestRenameMainPackages(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(text), 0o644)
	}
	write("main/main.go", "package main\n\nvar X = 1\n")
	write("other/other.go", "package other\n\nimport (\n\t\"tcw/s/h/main\"\n)\n\nvar Y = main.X\n")
	if err := renameMainPackages(dir, "tcw/s/h/"); err != nil {
		t.Fatal(err)
	}
	m, _ := os.ReadFile(filepath.Join(dir, "main/main.go"))
	o, _ := os.ReadFile(filepath.Join(dir, "other/other.go"))
	if !strings.HasPrefix(string(m), "package main_\n") {
		t.Fatalf("main not renamed: %q", m)
	}
	if !strings.Contains(string(o), "\tmain \"tcw/s/h/main\"\n") {
		t.Fatalf("importer not aliased: %q", o)
	}
}

// Compiler errors name schema names in backquotes, so the message's words say the kind of error.
func TestCompileErrorQuotesNames(t *testing.T) {
	out := "# tcw/s/abc/generated\n" +
		"s/abc/generated/generated.go:928:14: cannot use &Xinfz{} (value of type *Xinfz) as *Ztonn7 value in assignment\n" +
		"s/abc/generated/generated.go:290:38: cannot use eapply (variable of pointer type Ithb) as *Ithb value in assignment\n" +
		"s/abc/generated/generated-consts.go:22:11: []byte(\"n\") (value of type []byte) is not constant\n" +
		"s/abc/generated/generated.go:40:2: p redeclared in this block\n"
	got := compileError(out, "abc")
	want := "the generated Go does not compile: " +
		"cannot use `&Xinfz{}` (value of type `*Xinfz`) as `*Ztonn7` value in assignment (generated/generated.go:928:14); " +
		"cannot use `eapply` (variable of pointer type `Ithb`) as `*Ithb` value in assignment (generated/generated.go:290:38); " +
		"`[]byte(\"n\")` (value of type `[]byte`) is not constant (generated/generated-consts.go:22:11); " +
		"`p` redeclared in this block (generated/generated.go:40:2)"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
