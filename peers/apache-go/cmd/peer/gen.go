package main

// Code generation for one schema: `thrift -r --gen go --gen json`, then a small registration
// package per schema (constructors, enum types, one adapter per service that hands every method
// to the runtime's one generic handler) found by reading the generated Go with go/ast, and the
// schema's metadata (Thrift types from the JSON generator) for the runtime.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CompilerTimeout is the longest one `thrift` run may take (README: COMPILER_TIMEOUT_S).
const CompilerTimeout = 60 * time.Second

// RegPkg is the directory of the registration package inside a schema's directory.
const RegPkg = "tcreg"

// ---- metadata (the runtime's rt.Meta, written as JSON) ----

type TT struct {
	K   string `json:"k"`
	E   *TT    `json:"e,omitempty"`
	Key *TT    `json:"key,omitempty"`
	S   string `json:"s,omitempty"`
}

type MField struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	T    *TT    `json:"t"`
	Req  string `json:"req"`
}

type MStruct struct {
	Name   string    `json:"name"`
	Kind   string    `json:"kind"`
	Go     string    `json:"go"`
	Fields []*MField `json:"fields"`
}

type MFunc struct {
	Name       string    `json:"name"`
	Method     string    `json:"method"`
	Args       string    `json:"args"`
	Result     string    `json:"result"`
	Oneway     bool      `json:"oneway"`
	Params     []*MField `json:"params"`
	Returns    *TT       `json:"returns"`
	Exceptions []*MField `json:"exceptions"`
}

type MService struct {
	Name      string   `json:"name"`
	Extends   string   `json:"extends"`
	Go        string   `json:"go"`
	Functions []*MFunc `json:"functions"`
}

type Meta struct {
	Entry    string               `json:"entry"`
	Programs []string             `json:"programs"`
	Structs  map[string]*MStruct  `json:"structs"`
	Services map[string]*MService `json:"services"`
}

// Answer is what load_idl answers for a schema (besides the module handle).
type Answer struct {
	Types    []string      `json:"types"`
	Services []interface{} `json:"services"`
}

// ---- thrift --gen json ----

type jType struct {
	TypeID      string `json:"typeId"`
	Class       string `json:"class"`
	ElemTypeID  string `json:"elemTypeId"`
	ElemType    *jType `json:"elemType"`
	KeyTypeID   string `json:"keyTypeId"`
	KeyType     *jType `json:"keyType"`
	ValueTypeID string `json:"valueTypeId"`
	ValueType   *jType `json:"valueType"`
}

type jField struct {
	Key      int    `json:"key"`
	Name     string `json:"name"`
	TypeID   string `json:"typeId"`
	Type     *jType `json:"type"`
	Required string `json:"required"`
}

type jStruct struct {
	Name        string    `json:"name"`
	IsException bool      `json:"isException"`
	IsUnion     bool      `json:"isUnion"`
	Fields      []*jField `json:"fields"`
}

type jFunc struct {
	Name         string    `json:"name"`
	ReturnTypeID string    `json:"returnTypeId"`
	ReturnType   *jType    `json:"returnType"`
	Oneway       bool      `json:"oneway"`
	Arguments    []*jField `json:"arguments"`
	Exceptions   []*jField `json:"exceptions"`
}

type jService struct {
	Name      string   `json:"name"`
	Extends   string   `json:"extends"`
	Functions []*jFunc `json:"functions"`
}

type jProgram struct {
	Name       string            `json:"name"`
	Namespaces map[string]string `json:"namespaces"`
	Enums      []struct {
		Name string `json:"name"`
	} `json:"enums"`
	Structs  []*jStruct  `json:"structs"`
	Services []*jService `json:"services"`
}

// qualifyName makes "prog.Name" of a class as the JSON generator writes it in program prog.
func qualifyName(prog, class string) string {
	if strings.Contains(class, ".") {
		return class
	}
	return prog + "." + class
}

func convType(prog, typeID string, t *jType) *TT {
	switch typeID {
	case "list", "set":
		if t == nil {
			return &TT{K: typeID}
		}
		return &TT{K: typeID, E: convType(prog, t.ElemTypeID, t.ElemType)}
	case "map":
		if t == nil {
			return &TT{K: "map"}
		}
		return &TT{K: "map", Key: convType(prog, t.KeyTypeID, t.KeyType), E: convType(prog, t.ValueTypeID, t.ValueType)}
	case "struct", "union", "exception":
		class := ""
		if t != nil {
			class = t.Class
		}
		return &TT{K: "struct", S: qualifyName(prog, class)}
	case "byte":
		return &TT{K: "i8"}
	}
	return &TT{K: typeID}
}

func convField(prog string, f *jField) *MField {
	req := f.Required
	if req == "req_out" {
		req = "default"
	}
	return &MField{ID: f.Key, Name: f.Name, T: convType(prog, f.TypeID, f.Type), Req: req}
}

// ---- the generated Go ----

type goPkg struct {
	dir        string // relative to the schema dir ("foo/bar")
	importPath string
	name       string
	alias      string // in the registration file
	files      []*ast.File
	fset       *token.FileSet
	fileImps   map[*ast.File]map[string]string // local name -> import path
	structLit  map[string]string               // Go type -> WriteStructBegin literal
	funcs      map[string]*ast.FuncDecl        // top-level functions
	enums      []string
	ifaces     map[string]*ifaceDecl
	procFns    map[string]*procFn // processor function struct -> what it uses
	processors map[string]*processor
}

type ifaceDecl struct {
	it   *ast.InterfaceType
	file *ast.File
}

type procFn struct {
	args, result, method string
}

type processor struct {
	iface string            // the handler interface (the service's Go name)
	keys  []string          // own function names
	fns   map[string]string // function name -> processor function struct
}

func parsePkg(schemaDir, modPrefix, dir string) (*goPkg, error) {
	p := &goPkg{dir: dir, importPath: modPrefix + filepath.ToSlash(dir), fset: token.NewFileSet(),
		fileImps: map[*ast.File]map[string]string{}, structLit: map[string]string{}, funcs: map[string]*ast.FuncDecl{},
		ifaces: map[string]*ifaceDecl{}, procFns: map[string]*procFn{}, processors: map[string]*processor{}}
	entries, err := os.ReadDir(filepath.Join(schemaDir, dir))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(p.fset, filepath.Join(schemaDir, dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("the generated Go does not parse: %v", err)
		}
		p.files = append(p.files, f)
		p.name = f.Name.Name
		imps := map[string]string{}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			imps[name] = path
		}
		p.fileImps[f] = imps
	}
	for _, f := range p.files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					ts, ok := sp.(*ast.TypeSpec)
					if !ok {
						continue
					}
					if it, ok := ts.Type.(*ast.InterfaceType); ok {
						p.ifaces[ts.Name.Name] = &ifaceDecl{it: it, file: f}
					}
				}
			case *ast.FuncDecl:
				p.scanFunc(d)
			}
		}
	}
	// enums: `type X int64` with a generated XFromString
	for _, f := range p.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				ts, ok := sp.(*ast.TypeSpec)
				if !ok || ts.Assign.IsValid() {
					continue
				}
				if id, ok := ts.Type.(*ast.Ident); ok && id.Name == "int64" && p.funcs[ts.Name.Name+"FromString"] != nil {
					p.enums = append(p.enums, ts.Name.Name)
				}
			}
		}
	}
	sort.Strings(p.enums)
	return p, nil
}

func recvType(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func (p *goPkg) scanFunc(d *ast.FuncDecl) {
	recv := recvType(d)
	if recv == "" {
		p.funcs[d.Name.Name] = d
		// NewXProcessor(handler X) *XProcessor: its AddToProcessorMap calls name the functions
		if strings.HasPrefix(d.Name.Name, "New") && strings.HasSuffix(d.Name.Name, "Processor") && d.Type.Params != nil && len(d.Type.Params.List) == 1 {
			if id, ok := d.Type.Params.List[0].Type.(*ast.Ident); ok && d.Body != nil {
				pr := &processor{iface: id.Name, fns: map[string]string{}}
				add := func(keyExpr, valExpr ast.Expr) {
					lit, ok := keyExpr.(*ast.BasicLit)
					if !ok {
						return
					}
					key, _ := strconv.Unquote(lit.Value)
					var fnType string
					if u, ok := valExpr.(*ast.UnaryExpr); ok {
						if cl, ok := u.X.(*ast.CompositeLit); ok {
							if id, ok := cl.Type.(*ast.Ident); ok {
								fnType = id.Name
							}
						}
					}
					pr.keys = append(pr.keys, key)
					pr.fns[key] = fnType
				}
				ast.Inspect(d.Body, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.CallExpr: // self.AddToProcessorMap("fn", &svcProcessorFn{handler: handler})
						if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "AddToProcessorMap" && len(n.Args) == 2 {
							add(n.Args[0], n.Args[1])
						}
					case *ast.AssignStmt: // self.processorMap["fn"] = &svcProcessorFn{handler: handler}
						if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
							if ix, ok := n.Lhs[0].(*ast.IndexExpr); ok {
								add(ix.Index, n.Rhs[0])
							}
						}
					}
					return true
				})
				p.processors[id.Name] = pr
			}
		}
		return
	}
	if d.Body == nil {
		return
	}
	switch d.Name.Name {
	case "Write":
		ast.Inspect(d.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "WriteStructBegin" {
				return true
			}
			if lit, ok := call.Args[1].(*ast.BasicLit); ok {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					if _, seen := p.structLit[recv]; !seen {
						p.structLit[recv] = s
					}
				}
			}
			return true
		})
	case "Process":
		pf := &procFn{}
		ast.Inspect(d.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					id, ok := n.Lhs[0].(*ast.Ident)
					cl, ok2 := n.Rhs[0].(*ast.CompositeLit)
					if ok && ok2 {
						if tid, ok := cl.Type.(*ast.Ident); ok {
							switch id.Name {
							case "args":
								pf.args = tid.Name
							case "result":
								pf.result = tid.Name
							}
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "handler" {
						pf.method = sel.Sel.Name
					}
				}
			}
			return true
		})
		if pf.args != "" {
			p.procFns[recv] = pf
		}
	}
}

// ---- type expressions in the registration file ----

var predeclared = map[string]bool{"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"rune": true, "string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"uintptr": true, "any": true, "interface{}": true}

// qualify rewrites a type expression of package p (file f) for the registration file.
func (g *generator) qualify(p *goPkg, f *ast.File, e ast.Expr) (ast.Expr, error) {
	var err error
	var walk func(e ast.Expr) ast.Expr
	walk = func(e ast.Expr) ast.Expr {
		switch t := e.(type) {
		case *ast.Ident:
			if predeclared[t.Name] {
				return ast.NewIdent(t.Name)
			}
			return &ast.SelectorExpr{X: ast.NewIdent(p.alias), Sel: ast.NewIdent(t.Name)}
		case *ast.SelectorExpr:
			id, ok := t.X.(*ast.Ident)
			if !ok {
				err = fmt.Errorf("unexpected type expression")
				return e
			}
			path := p.fileImps[f][id.Name]
			alias := g.importAlias(path)
			if alias == "" {
				err = fmt.Errorf("unknown package %s", id.Name)
				return e
			}
			return &ast.SelectorExpr{X: ast.NewIdent(alias), Sel: ast.NewIdent(t.Sel.Name)}
		case *ast.StarExpr:
			return &ast.StarExpr{X: walk(t.X)}
		case *ast.ArrayType:
			return &ast.ArrayType{Len: t.Len, Elt: walk(t.Elt)}
		case *ast.MapType:
			return &ast.MapType{Key: walk(t.Key), Value: walk(t.Value)}
		case *ast.InterfaceType:
			return &ast.InterfaceType{Methods: &ast.FieldList{}}
		}
		err = fmt.Errorf("unexpected type expression %T", e)
		return e
	}
	out := walk(e)
	return out, err
}

func exprString(e ast.Expr) string {
	var b bytes.Buffer
	printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}

// ---- the generator ----

type generator struct {
	hash      string
	schemaDir string
	modPrefix string            // import path of the schema dir + "/"
	pkgs      map[string]*goPkg // by import path
	imports   map[string]string // import path -> alias (registration file)
}

func (g *generator) importAlias(path string) string {
	switch path {
	case "context":
		return "context"
	case "github.com/apache/thrift/lib/go/thrift":
		return "thrift"
	}
	return g.imports[path]
}

// GenSchema generates and analyses one schema into schemaDir (the caller caches the result).
// It returns the answer, the metadata, or an IdlError message.
func GenSchema(compiler, hash, schemaDir, modPrefix string, files map[string]string, entry string, workDir string) (*Answer, *Meta, string, error) {
	src := filepath.Join(workDir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return nil, nil, "", err
	}
	for rel, text := range files {
		path := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, "", err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return nil, nil, "", err
		}
	}
	os.RemoveAll(schemaDir)
	if err := os.MkdirAll(schemaDir, 0o755); err != nil {
		return nil, nil, "", err
	}
	entryPath := filepath.Join(src, filepath.FromSlash(entry))
	ctx, cancel := context.WithTimeout(context.Background(), CompilerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, compiler, "-r", "--gen", "go:package_prefix="+modPrefix+",skip_remote", "--gen", "json", "-out", schemaDir, entryPath)
	cmd.Dir = filepath.Dir(entryPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, nil, fmt.Sprintf("the thrift compiler took longer than %ds", int(CompilerTimeout.Seconds())), nil
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return nil, nil, "", fmt.Errorf("cannot run the thrift compiler %q: %v", compiler, err)
		}
		msg := strings.TrimSpace(strings.ReplaceAll(out.String(), src+string(os.PathSeparator), ""))
		if msg == "" {
			msg = "thrift exited with " + err.Error()
		}
		return nil, nil, msg, nil
	}
	if err := renameMainPackages(schemaDir, modPrefix); err != nil {
		return nil, nil, "the generated code cannot be analysed: " + err.Error(), nil
	}
	g := &generator{hash: hash, schemaDir: schemaDir, modPrefix: modPrefix, pkgs: map[string]*goPkg{}, imports: map[string]string{}}
	ans, meta, err := g.analyse(strings.TrimSuffix(filepath.Base(entry), ".thrift"))
	if err != nil {
		return nil, nil, "the generated code cannot be analysed: " + err.Error(), nil
	}
	return ans, meta, "", nil
}

func (g *generator) analyse(entryProg string) (*Answer, *Meta, error) {
	// JSON descriptions, one per program
	progs := map[string]*jProgram{}
	jsonFiles, _ := filepath.Glob(filepath.Join(g.schemaDir, "*.json"))
	for _, jf := range jsonFiles {
		data, err := os.ReadFile(jf)
		if err != nil {
			return nil, nil, err
		}
		var jp jProgram
		if err := json.Unmarshal(stripConstants(data), &jp); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", filepath.Base(jf), err)
		}
		progs[jp.Name] = &jp
	}
	if progs[entryProg] == nil {
		return nil, nil, fmt.Errorf("no JSON description of %s", entryProg)
	}
	// Go packages: every directory with .go files
	var dirs []string
	filepath.WalkDir(g.schemaDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(g.schemaDir, path)
		if rel == RegPkg {
			return filepath.SkipDir
		}
		if m, _ := filepath.Glob(filepath.Join(path, "*.go")); len(m) > 0 {
			dirs = append(dirs, rel)
		}
		return nil
	})
	sort.Strings(dirs)
	byDir := map[string]*goPkg{}
	for i, dir := range dirs {
		p, err := parsePkg(g.schemaDir, g.modPrefix, dir)
		if err != nil {
			return nil, nil, err
		}
		p.alias = fmt.Sprintf("g%d", i)
		g.pkgs[p.importPath] = p
		g.imports[p.importPath] = p.alias
		byDir[strings.ToLower(filepath.ToSlash(dir))] = p
	}
	pkgOf := func(prog string) *goPkg {
		jp := progs[prog]
		cand := strings.ToLower(prog)
		if jp != nil && jp.Namespaces["go"] != "" {
			cand = strings.ToLower(strings.ReplaceAll(jp.Namespaces["go"], ".", "/"))
		}
		return byDir[cand]
	}

	meta := &Meta{Entry: entryProg, Structs: map[string]*MStruct{}, Services: map[string]*MService{}}
	ctors := map[string]string{} // ctor key -> Go expression
	progNames := make([]string, 0, len(progs))
	for name := range progs {
		progNames = append(progNames, name)
	}
	sort.Strings(progNames)
	meta.Programs = progNames

	ctorExpr := func(p *goPkg, typ string) string {
		if fd := p.funcs["New"+typ]; fd != nil && (fd.Type.Params == nil || len(fd.Type.Params.List) == 0) {
			return fmt.Sprintf("%s.New%s()", p.alias, typ)
		}
		return fmt.Sprintf("&%s.%s{}", p.alias, typ)
	}
	// args/result structs of the processors are not user structs
	procTypes := map[*goPkg]map[string]bool{}
	for _, p := range g.pkgs {
		procTypes[p] = map[string]bool{}
		for _, pf := range p.procFns {
			procTypes[p][pf.args] = true
			if pf.result != "" {
				procTypes[p][pf.result] = true
			}
		}
	}
	for _, prog := range progNames {
		jp := progs[prog]
		p := pkgOf(prog)
		for _, st := range jp.Structs {
			key := prog + "." + st.Name
			kind := "struct"
			if st.IsException {
				kind = "exception"
			} else if st.IsUnion {
				kind = "union"
			}
			ms := &MStruct{Name: st.Name, Kind: kind}
			for _, f := range st.Fields {
				ms.Fields = append(ms.Fields, convField(prog, f))
			}
			if p != nil {
				var goNames []string
				for goName, lit := range p.structLit {
					if lit == st.Name && !procTypes[p][goName] {
						goNames = append(goNames, goName)
					}
				}
				sort.Strings(goNames)
				if len(goNames) > 0 {
					ms.Go = p.alias + "." + goNames[0]
					ctors[ms.Go] = ctorExpr(p, goNames[0])
				}
			}
			meta.Structs[key] = ms
		}
	}

	// services
	svcGos := map[string]*svcGo{}
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(strings.TrimRight(s, "_"), "_", "")) }
	for _, prog := range progNames {
		jp := progs[prog]
		p := pkgOf(prog)
		for _, js := range jp.Services {
			key := prog + "." + js.Name
			ms := &MService{Name: js.Name}
			if js.Extends != "" {
				ms.Extends = qualifyName(prog, js.Extends)
			}
			var pr *processor
			if p != nil {
				var cands []*processor
				for _, c := range p.processors {
					if norm(c.iface) == norm(js.Name) {
						cands = append(cands, c)
					}
				}
				if len(cands) > 1 { // disambiguate by the function names
					for _, c := range cands {
						if len(c.keys) == len(js.Functions) {
							same := true
							for i, f := range js.Functions {
								if c.keys[i] != f.Name {
									same = false
								}
							}
							if same {
								cands = []*processor{c}
								break
							}
						}
					}
				}
				if len(cands) >= 1 {
					pr = cands[0]
					ms.Go = p.alias + "." + pr.iface
					svcGos[key] = &svcGo{p: p, pr: pr, key: key}
				}
			}
			for _, jf := range js.Functions {
				mf := &MFunc{Name: jf.Name, Oneway: jf.Oneway}
				for _, a := range jf.Arguments {
					mf.Params = append(mf.Params, convField(prog, a))
				}
				for _, x := range jf.Exceptions {
					mf.Exceptions = append(mf.Exceptions, convField(prog, x))
				}
				if jf.ReturnTypeID != "void" && jf.ReturnTypeID != "" {
					mf.Returns = convType(prog, jf.ReturnTypeID, jf.ReturnType)
				}
				argsKey := key + "." + jf.Name + ".args"
				meta.Structs[argsKey] = &MStruct{Name: jf.Name + "_args", Kind: "struct", Fields: mf.Params}
				mf.Args = argsKey
				if !jf.Oneway {
					resKey := key + "." + jf.Name + ".result"
					rf := []*MField{}
					if mf.Returns != nil {
						rf = append(rf, &MField{ID: 0, Name: "success", T: mf.Returns, Req: "optional"})
					}
					rf = append(rf, mf.Exceptions...)
					meta.Structs[resKey] = &MStruct{Name: jf.Name + "_result", Kind: "struct", Fields: rf}
					mf.Result = resKey
				}
				if pr != nil {
					if pf := p.procFns[pr.fns[jf.Name]]; pf != nil {
						mf.Method = pf.method
						meta.Structs[argsKey].Go = p.alias + "." + pf.args
						ctors[p.alias+"."+pf.args] = ctorExpr(p, pf.args)
						if pf.result != "" && mf.Result != "" {
							meta.Structs[mf.Result].Go = p.alias + "." + pf.result
							ctors[p.alias+"."+pf.result] = ctorExpr(p, pf.result)
						}
					}
				}
				ms.Functions = append(ms.Functions, mf)
			}
			meta.Services[key] = ms
		}
	}

	// the answer of load_idl: the entry's types and services
	ep := progs[entryProg]
	ans := &Answer{Types: []string{}, Services: []interface{}{}}
	for _, st := range ep.Structs {
		ans.Types = append(ans.Types, st.Name)
	}
	for _, en := range ep.Enums {
		ans.Types = append(ans.Types, en.Name)
	}
	sort.Strings(ans.Types)
	for _, js := range ep.Services {
		fns := []string{}
		for _, f := range js.Functions {
			fns = append(fns, f.Name)
		}
		var ext interface{}
		if js.Extends != "" {
			ext = js.Extends[strings.LastIndex(js.Extends, ".")+1:]
		}
		ans.Services = append(ans.Services, map[string]interface{}{"name": js.Name, "functions": fns, "extends": ext})
	}

	if err := g.writeReg(meta, ctors, svcGos); err != nil {
		return nil, nil, err
	}
	return ans, meta, nil
}

type svcGo struct {
	p   *goPkg
	pr  *processor
	key string
}

func adapterName(p *goPkg, iface string) string { return "ad_" + p.alias + "_" + iface }

// writeReg writes the registration package: constructors, enums, adapters, processors, clients.
func (g *generator) writeReg(meta *Meta, ctors map[string]string, svcGos map[string]*svcGo) error {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("// Code generated by the apache-go peer (registration of one schema). DO NOT EDIT.\n\n")
	b.WriteString("package " + RegPkg + "\n\nimport (\n\t\"context\"\n\n\tthrift \"github.com/apache/thrift/lib/go/thrift\"\n\trt \"tcw/rt\"\n")
	paths := make([]string, 0, len(g.pkgs))
	for path := range g.pkgs {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		fmt.Fprintf(&b, "\t%s %q\n", g.pkgs[path].alias, path)
	}
	b.WriteString(")\n\nvar _ = context.Background\nvar _ thrift.TProcessor\n")
	for _, path := range paths {
		fmt.Fprintf(&b, "var _ = %s.GoUnusedProtection__\n", g.pkgs[path].alias)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "const meta = %s\n\n", strconv.Quote(string(metaJSON)))
	// adapters, for every service interface with a processor in any package
	var adapters strings.Builder
	made := map[string]bool{}
	for _, path := range paths {
		p := g.pkgs[path]
		names := make([]string, 0, len(p.processors))
		for name := range p.processors {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := g.writeAdapter(&adapters, p, p.processors[name], made); err != nil {
				return err
			}
		}
	}
	b.WriteString("func init() {\n\tctors := map[string]func() interface{}{\n")
	keys := make([]string, 0, len(ctors))
	for k := range ctors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\t\t%q: func() interface{} { return %s },\n", k, ctors[k])
	}
	b.WriteString("\t}\n\tenums := []interface{}{\n")
	for _, path := range paths {
		p := g.pkgs[path]
		for _, e := range p.enums {
			fmt.Fprintf(&b, "\t\t%s.%s(0),\n", p.alias, e)
		}
	}
	b.WriteString("\t}\n\tsvcs := map[string]rt.SvcReg{\n")
	svcKeys := make([]string, 0, len(svcGos))
	for k := range svcGos {
		svcKeys = append(svcKeys, k)
	}
	sort.Strings(svcKeys)
	seen := map[string]bool{}
	for _, k := range svcKeys {
		sg := svcGos[k]
		goKey := sg.p.alias + "." + sg.pr.iface
		if seen[goKey] {
			continue
		}
		seen[goKey] = true
		client := "nil"
		if fd := sg.p.funcs["New"+sg.pr.iface+"ClientFactory"]; fd != nil {
			client = fmt.Sprintf("func(t thrift.TTransport, f thrift.TProtocolFactory) interface{} { return %s.New%sClientFactory(t, f) }", sg.p.alias, sg.pr.iface)
		}
		fmt.Fprintf(&b, "\t\t%q: {Processor: func(h rt.Handler) thrift.TProcessor { return %s.New%sProcessor(new%s(h)) }, Client: %s},\n",
			goKey, sg.p.alias, sg.pr.iface, adapterName(sg.p, sg.pr.iface), client)
	}
	b.WriteString("\t}\n")
	fmt.Fprintf(&b, "\trt.Register(%q, meta, ctors, enums, svcs)\n}\n\n", g.hash)
	b.WriteString(adapters.String())
	dir := filepath.Join(g.schemaDir, RegPkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "reg.go"), []byte(b.String()), 0o644)
}

// writeAdapter writes the handler adapter of one service interface (after its parent's).
func (g *generator) writeAdapter(b *strings.Builder, p *goPkg, pr *processor, made map[string]bool) error {
	name := adapterName(p, pr.iface)
	if made[name] {
		return nil
	}
	made[name] = true
	decl := p.ifaces[pr.iface]
	if decl == nil {
		return fmt.Errorf("no interface %s in %s", pr.iface, p.dir)
	}
	methodKey := map[string]string{}
	for key, fnType := range pr.fns {
		if pf := p.procFns[fnType]; pf != nil {
			methodKey[pf.method] = key
		}
	}
	parent := ""
	for _, f := range decl.it.Methods.List {
		if len(f.Names) > 0 {
			continue
		}
		var pp *goPkg
		var iface string
		switch t := f.Type.(type) {
		case *ast.Ident:
			pp, iface = p, t.Name
		case *ast.SelectorExpr:
			if id, ok := t.X.(*ast.Ident); ok {
				pp, iface = g.pkgs[p.fileImps[decl.file][id.Name]], t.Sel.Name
			}
		}
		if pp == nil || pp.processors[iface] == nil {
			return fmt.Errorf("cannot resolve the parent interface of %s", pr.iface)
		}
		if err := g.writeAdapter(b, pp, pp.processors[iface], made); err != nil {
			return err
		}
		parent = adapterName(pp, iface)
	}
	if parent != "" {
		fmt.Fprintf(b, "type %s struct{ *%s }\n\nfunc new%s(h rt.Handler) *%s { return &%s{new%s(h)} }\n\n", name, parent, name, name, name, parent)
	} else {
		fmt.Fprintf(b, "type %s struct{ h rt.Handler }\n\nfunc new%s(h rt.Handler) *%s { return &%s{h: h} }\n\n", name, name, name, name)
	}
	for _, f := range decl.it.Methods.List {
		if len(f.Names) == 0 {
			continue
		}
		ft, ok := f.Type.(*ast.FuncType)
		if !ok {
			continue
		}
		mname := f.Names[0].Name
		key, ok := methodKey[mname]
		if !ok {
			return fmt.Errorf("method %s of %s is not in its processor", mname, pr.iface)
		}
		var params []string
		n := 0
		for _, fld := range ft.Params.List {
			te, err := g.qualify(p, decl.file, fld.Type)
			if err != nil {
				return err
			}
			cnt := len(fld.Names)
			if cnt == 0 {
				cnt = 1
			}
			for i := 0; i < cnt; i++ {
				params = append(params, fmt.Sprintf("x%d %s", n, exprString(te)))
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("method %s has no context parameter", mname)
		}
		args := make([]string, 0, n)
		for i := 1; i < n; i++ {
			args = append(args, fmt.Sprintf("x%d", i))
		}
		argList := ""
		if len(args) > 0 {
			argList = ", " + strings.Join(args, ", ")
		}
		nres := 0
		if ft.Results != nil {
			for _, r := range ft.Results.List {
				if len(r.Names) == 0 {
					nres++
				} else {
					nres += len(r.Names)
				}
			}
		}
		switch nres {
		case 1:
			fmt.Fprintf(b, "func (a *%s) %s(%s) (err_ error) {\n\terr_ = a.h.Call(x0, %q, nil%s)\n\treturn\n}\n\n", name, mname, strings.Join(params, ", "), key, argList)
		case 2:
			te, err := g.qualify(p, decl.file, ft.Results.List[0].Type)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "func (a *%s) %s(%s) (r_ %s, err_ error) {\n\terr_ = a.h.Call(x0, %q, &r_%s)\n\treturn\n}\n\n", name, mname, strings.Join(params, ", "), exprString(te), key, argList)
		default:
			return fmt.Errorf("method %s has %d results", mname, nres)
		}
	}
	return nil
}

// stripConstants removes the "constants" array of a `thrift --gen json` description: the peer
// does not need it, and the JSON generator writes map constants with non-string keys as
// invalid JSON (`{{}: {}}`).
func stripConstants(data []byte) []byte {
	key := []byte(`"constants":`)
	i := bytes.Index(data, key)
	if i < 0 {
		return data
	}
	j := i + len(key)
	for j < len(data) && data[j] != '[' {
		j++
	}
	depth, inStr := 0, false
	for ; j < len(data); j++ {
		c := data[j]
		if inStr {
			if c == '\\' {
				j++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		if depth == 0 {
			break
		}
	}
	if j >= len(data) {
		return data
	}
	out := append([]byte{}, data[:i]...)
	out = append(out, []byte(`"constants": []`)...)
	return append(out, data[j+1:]...)
}

var mainPkgRe = regexp.MustCompile(`(?m)^package main\s*$`)

// renameMainPackages: a file main.thrift without `namespace go` becomes a Go package named main,
// which Go cannot import; it is renamed main_ (only the package clause), and the generated
// packages that import it get the import name main back (`main "…/main"`), so their code is
// unchanged.
func renameMainPackages(schemaDir, modPrefix string) error {
	var mainDirs []string
	err := filepath.WalkDir(schemaDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if mainPkgRe.Match(data) {
			rel, _ := filepath.Rel(schemaDir, filepath.Dir(path))
			mainDirs = append(mainDirs, filepath.ToSlash(rel))
			return os.WriteFile(path, mainPkgRe.ReplaceAll(data, []byte("package main_")), 0o644)
		}
		return nil
	})
	if err != nil || len(mainDirs) == 0 {
		return err
	}
	return filepath.WalkDir(schemaDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out := data
		for _, dir := range mainDirs {
			imp := strconv.Quote(modPrefix + dir)
			name := dir[strings.LastIndex(dir, "/")+1:]
			out = bytes.ReplaceAll(out, []byte("\t"+imp+"\n"), []byte("\t"+name+" "+imp+"\n"))
		}
		if !bytes.Equal(out, data) {
			return os.WriteFile(path, out, 0o644)
		}
		return nil
	})
}
