package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/apache/thrift/lib/go/thrift"
)

// TT is a Thrift type (typedefs resolved; enums are i32, as `thrift --gen json` says).
type TT struct {
	K   string `json:"k"`             // bool i8 i16 i32 i64 double string binary list set map struct
	E   *TT    `json:"e,omitempty"`   // list/set element, map value
	Key *TT    `json:"key,omitempty"` // map key
	S   string `json:"s,omitempty"`   // struct: key into Meta.Structs ("prog.Name")
}

// MField is a field of a struct, an argument or a declared exception.
type MField struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	T    *TT    `json:"t"`
	Req  string `json:"req"` // required | optional | default
}

// MStruct is a struct, union or exception (or a function's args/result struct).
type MStruct struct {
	Name   string    `json:"name"` // as declared (args: "get_args")
	Kind   string    `json:"kind"` // struct | union | exception
	Go     string    `json:"go"`   // constructor key in the registration
	Fields []*MField `json:"fields"`
}

// MFunc is a service function.
type MFunc struct {
	Name       string    `json:"name"`
	Method     string    `json:"method"` // the Go method name (handler interface and client)
	Args       string    `json:"args"`   // key into Structs
	Result     string    `json:"result"` // key into Structs; "" for oneway
	Oneway     bool      `json:"oneway"`
	Params     []*MField `json:"params"`
	Returns    *TT       `json:"returns"` // nil for void
	Exceptions []*MField `json:"exceptions"`
}

// MService is a service of some program of the schema.
type MService struct {
	Name      string   `json:"name"`
	Extends   string   `json:"extends"` // key into Services, or ""
	Go        string   `json:"go"`      // key into the registered services
	Functions []*MFunc `json:"functions"`
}

// Meta describes one loaded IDL (made by the supervisor from `thrift --gen json` and the generated Go).
type Meta struct {
	Entry    string               `json:"entry"`    // the entry program's name
	Programs []string             `json:"programs"` // every program (file base names)
	Structs  map[string]*MStruct  `json:"structs"`  // "prog.Name", "prog.Svc.fn.args|result"
	Services map[string]*MService `json:"services"` // "prog.Svc"
}

// Handler is what the generated service adapters call: one generic function for every method.
type Handler interface {
	// Call handles function fname; ret points to the method's return value (nil for void).
	Call(ctx context.Context, fname string, ret interface{}, args ...interface{}) error
}

// SvcReg is the registration of one generated service.
type SvcReg struct {
	Processor func(h Handler) thrift.TProcessor
	Client    func(t thrift.TTransport, f thrift.TProtocolFactory) interface{}
}

// Schema is one registered IDL (all its generated packages).
type Schema struct {
	Hash     string
	Meta     *Meta
	Ctors    map[string]func() interface{}
	Enums    map[reflect.Type]bool
	Svcs     map[string]SvcReg
	mu       sync.Mutex
	structs  map[string]*StructInfo
	byGoType map[reflect.Type]*StructInfo
}

var (
	registryMu sync.Mutex
	registry   = map[string]*Schema{}
)

// Register is called by each schema's generated registration package.
func Register(hash, meta string, ctors map[string]func() interface{}, enums []interface{}, svcs map[string]SvcReg) {
	var m Meta
	if err := json.Unmarshal([]byte(meta), &m); err != nil {
		panic(fmt.Sprintf("schema %s: bad meta: %v", hash, err))
	}
	s := &Schema{Hash: hash, Meta: &m, Ctors: ctors, Enums: map[reflect.Type]bool{}, Svcs: svcs,
		structs: map[string]*StructInfo{}, byGoType: map[reflect.Type]*StructInfo{}}
	for _, e := range enums {
		s.Enums[reflect.TypeOf(e)] = true
	}
	registryMu.Lock()
	registry[hash] = s
	registryMu.Unlock()
}

// Lookup returns a registered schema.
func Lookup(hash string) *Schema {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[hash]
}

// ---- names ----

// splitQualified turns "Name" or "inc.Name" into a key "prog.Name".
func (s *Schema) qualify(name string) (string, bool) {
	if i := strings.LastIndex(name, "."); i >= 0 {
		head := name[:i]
		for _, p := range s.Meta.Programs {
			if p == head {
				return name, true
			}
		}
		return "", false
	}
	return s.Meta.Entry + "." + name, true
}

// Service finds a service by "Svc" or "inc.Svc".
func (s *Schema) Service(name, module string) (*MService, error) {
	key, ok := s.qualify(name)
	if ok {
		if svc := s.Meta.Services[key]; svc != nil {
			return svc, nil
		}
	}
	return nil, Errf("UnknownService", "no service '%s' in module %s", name, module)
}

// Function finds a function of a service or of one of its parents.
func (s *Schema) Function(svc *MService, fname string) (*MFunc, error) {
	for cur, depth := svc, 0; cur != nil && depth < 100; depth++ {
		for _, f := range cur.Functions {
			if f.Name == fname {
				return f, nil
			}
		}
		if cur.Extends == "" {
			break
		}
		cur = s.Meta.Services[cur.Extends]
	}
	return nil, Errf("UnknownFunction", "service %s has no function '%s'", svc.Name, fname)
}

// StructType resolves "Type", "include.Type" or "Service.fn.request|response".
func (s *Schema) StructType(name, module string) (*StructInfo, error) {
	parts := strings.Split(name, ".")
	if len(parts) >= 3 && (parts[len(parts)-1] == "request" || parts[len(parts)-1] == "response") {
		svc, err := s.Service(strings.Join(parts[:len(parts)-2], "."), module)
		if err != nil {
			return nil, err
		}
		fn, err := s.Function(svc, parts[len(parts)-2])
		if err != nil {
			return nil, err
		}
		key := fn.Args
		if parts[len(parts)-1] == "response" {
			if fn.Result == "" {
				return nil, Errf("UnknownType", "%s: a oneway function has no response", name)
			}
			key = fn.Result
		}
		return s.Struct(key)
	}
	key, ok := s.qualify(name)
	if !ok {
		head := name[:strings.LastIndex(name, ".")]
		return nil, Errf("UnknownType", "no included module '%s' in %s", head, module)
	}
	if st := s.Meta.Structs[key]; st == nil || strings.Count(key, ".") != 1 {
		return nil, Errf("UnknownType", "no struct, union or exception '%s' in module %s", name, module)
	}
	return s.Struct(key)
}

// Struct returns the reflection info of a struct key (built once).
func (s *Schema) Struct(key string) (*StructInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.structLocked(key)
}

func (s *Schema) structLocked(key string) (*StructInfo, error) {
	if si := s.structs[key]; si != nil {
		return si, nil
	}
	ms := s.Meta.Structs[key]
	if ms == nil {
		return nil, Errf("UnknownType", "no struct '%s'", key)
	}
	ctor := s.Ctors[ms.Go]
	if ctor == nil {
		return nil, Errf("UnknownType", "struct '%s' has no generated Go type", key)
	}
	ptr := reflect.TypeOf(ctor())
	si := &StructInfo{Key: key, Name: ms.Name, Kind: ms.Kind, Ptr: ptr, Ctor: ctor, ByName: map[string]*FieldInfo{}, schema: s}
	s.structs[key] = si
	s.byGoType[ptr] = si
	byID := map[int]*MField{}
	for _, f := range ms.Fields {
		byID[f.ID] = f
	}
	st := ptr.Elem()
	for i := 0; i < st.NumField(); i++ {
		sf := st.Field(i)
		tag := sf.Tag.Get("thrift")
		if tag == "" {
			continue
		}
		parts := strings.Split(tag, ",")
		if len(parts) < 2 {
			continue
		}
		var id int
		if _, err := fmt.Sscanf(parts[1], "%d", &id); err != nil {
			continue
		}
		mf := byID[id]
		if mf == nil {
			continue
		}
		fi := &FieldInfo{ID: id, Name: mf.Name, T: mf.T, Index: i, GoType: sf.Type, IsSet: -1}
		if m, ok := ptr.MethodByName("IsSet" + sf.Name); ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 {
			fi.IsSet = m.Index
		}
		si.Fields = append(si.Fields, fi)
		si.ByName[fi.Name] = fi
	}
	return si, nil
}

// StructInfo is what the value conversion knows of a generated struct type.
type StructInfo struct {
	Key    string
	Name   string
	Kind   string
	Ptr    reflect.Type // *T
	Ctor   func() interface{}
	Fields []*FieldInfo // in Go declaration order (= IDL order)
	ByName map[string]*FieldInfo
	schema *Schema
}

// FieldInfo is one field of a generated struct.
type FieldInfo struct {
	ID     int
	Name   string
	T      *TT
	Index  int
	GoType reflect.Type
	IsSet  int // method index of IsSet<Field> on *T, or -1 (always written)
}

// New makes a new instance (the generated constructor: IDL defaults filled).
func (si *StructInfo) New() reflect.Value { return reflect.ValueOf(si.Ctor()) }
