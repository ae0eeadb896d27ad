package rt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// ValueError is a JSON value that does not fit its Thrift type (or a Go value that cannot be shown).
type ValueError struct{ Msg string }

func (e *ValueError) Error() string { return e.Msg }

func verr(format string, args ...interface{}) error {
	return &ValueError{Msg: fmt.Sprintf(format, args...)}
}

// Describe names a Thrift type for messages.
func Describe(t *TT) string {
	if t == nil {
		return "void"
	}
	switch t.K {
	case "list", "set":
		return t.K + "<" + Describe(t.E) + ">"
	case "map":
		return "map<" + Describe(t.Key) + "," + Describe(t.E) + ">"
	case "struct":
		if i := strings.LastIndex(t.S, "."); i >= 0 {
			return t.S[i+1:]
		}
		return t.S
	}
	return t.K
}

// SameType is type equality for the generic handler (typedefs resolved, enum = i32, structs by name).
func SameType(a, b *TT) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.K != b.K {
		return false
	}
	switch a.K {
	case "list", "set":
		return SameType(a.E, b.E)
	case "map":
		return SameType(a.Key, b.Key) && SameType(a.E, b.E)
	case "struct":
		return a.S == b.S
	}
	return true
}

// ---- Go value -> JSON ----

func canonical(j interface{}) string {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Sprint(j)
	}
	return string(b)
}

// DoubleJSON encodes a double (specials as {"$double": ...}).
func DoubleJSON(f float64) interface{} {
	switch {
	case math.IsNaN(f):
		return map[string]interface{}{"$double": "NaN"}
	case math.IsInf(f, 1):
		return map[string]interface{}{"$double": "Infinity"}
	case math.IsInf(f, -1):
		return map[string]interface{}{"$double": "-Infinity"}
	case f == 0 && math.Signbit(f):
		return map[string]interface{}{"$double": "-0"}
	}
	return f
}

// ToJSON converts a value held by the library into the JSON value encoding.
func (s *Schema) ToJSON(t *TT, v reflect.Value, path string) (interface{}, error) {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil, verr("%s: unset (nil) where a %s is needed", path, Describe(t))
	}
	if v.Kind() == reflect.Ptr {
		if t.K == "struct" {
			return s.StructToJSON(t.S, v, path)
		}
		if v.IsNil() {
			return nil, verr("%s: unset (nil) where a %s is needed", path, Describe(t))
		}
		v = v.Elem()
	}
	switch t.K {
	case "bool":
		if v.Kind() != reflect.Bool {
			break
		}
		return v.Bool(), nil
	case "i8", "i16", "i32":
		if !isInt(v.Kind()) {
			break
		}
		return v.Int(), nil
	case "i64":
		if !isInt(v.Kind()) {
			break
		}
		return map[string]interface{}{"$i64": strconv.FormatInt(v.Int(), 10)}, nil
	case "double":
		if v.Kind() != reflect.Float64 && v.Kind() != reflect.Float32 {
			break
		}
		return DoubleJSON(v.Float()), nil
	case "string":
		if v.Kind() == reflect.String {
			return v.String(), nil
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes()), nil
		}
	case "binary":
		if v.Kind() == reflect.String {
			return map[string]interface{}{"$binary": base64.StdEncoding.EncodeToString([]byte(v.String()))}, nil
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return map[string]interface{}{"$binary": base64.StdEncoding.EncodeToString(v.Bytes())}, nil
		}
	case "list", "set":
		var items []interface{}
		switch v.Kind() {
		case reflect.Slice, reflect.Array:
			items = make([]interface{}, 0, v.Len())
			for i := 0; i < v.Len(); i++ {
				ep := fmt.Sprintf("%s[%d]", path, i)
				if t.K == "set" {
					ep = path + "{}"
				}
				j, err := s.ToJSON(t.E, v.Index(i), ep)
				if err != nil {
					return nil, err
				}
				items = append(items, j)
			}
		case reflect.Map: // a set held as map[T]bool / map[T]struct{}
			items = make([]interface{}, 0, v.Len())
			it := v.MapRange()
			for it.Next() {
				j, err := s.ToJSON(t.E, it.Key(), path+"{}")
				if err != nil {
					return nil, err
				}
				items = append(items, j)
			}
		default:
			return nil, verr("%s: a %s held as Go %s", path, Describe(t), v.Type())
		}
		if t.K == "list" {
			return items, nil
		}
		sortByCanonical(items, func(i int) interface{} { return items[i] })
		return map[string]interface{}{"$set": items}, nil
	case "map":
		if v.Kind() != reflect.Map {
			break
		}
		entries := make([]interface{}, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, err := s.ToJSON(t.Key, it.Key(), path+"{key}")
			if err != nil {
				return nil, err
			}
			val, err := s.ToJSON(t.E, it.Value(), fmt.Sprintf("%s[%v]", path, k))
			if err != nil {
				return nil, err
			}
			entries = append(entries, []interface{}{k, val})
		}
		sortByCanonical(entries, func(i int) interface{} { return entries[i].([]interface{})[0] })
		return map[string]interface{}{"$map": entries}, nil
	case "struct":
		if v.CanAddr() {
			return s.StructToJSON(t.S, v.Addr(), path)
		}
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		return s.StructToJSON(t.S, p, path)
	}
	return nil, verr("%s: a %s held as Go %s", path, Describe(t), v.Type())
}

func sortByCanonical(items []interface{}, key func(i int) interface{}) {
	keys := make([]string, len(items))
	for i := range items {
		keys[i] = canonical(key(i))
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	out := make([]interface{}, len(items))
	for i, j := range idx {
		out[i] = items[j]
	}
	copy(items, out)
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Int64
}

// IsSetField tells whether the library holds (and would write) a field.
func IsSetField(fi *FieldInfo, ptr reflect.Value) bool {
	if fi.IsSet >= 0 {
		return ptr.Method(fi.IsSet).Call(nil)[0].Bool()
	}
	fv := ptr.Elem().Field(fi.Index)
	switch fv.Kind() {
	case reflect.Ptr, reflect.Interface:
		return !fv.IsNil() || fi.T.K == "struct"
	}
	return true
}

// StructToJSON converts a *T of a generated struct: the fields the library holds, by name.
func (s *Schema) StructToJSON(key string, ptr reflect.Value, path string) (interface{}, error) {
	si, err := s.Struct(key)
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = si.Name
	}
	out := map[string]interface{}{}
	if ptr.IsNil() {
		return out, nil // the generated Write writes a nil struct as an empty one
	}
	for _, fi := range si.Fields {
		if !IsSetField(fi, ptr) {
			continue
		}
		j, err := s.ToJSON(fi.T, ptr.Elem().Field(fi.Index), path+"."+fi.Name)
		if err != nil {
			return nil, err
		}
		out[fi.Name] = j
	}
	return out, nil
}

// ---- JSON -> Go value ----

func short(j interface{}) string {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Sprint(j)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

var intRanges = map[string][2]int64{
	"i8":  {math.MinInt8, math.MaxInt8},
	"i16": {math.MinInt16, math.MaxInt16},
	"i32": {math.MinInt32, math.MaxInt32},
	"i64": {math.MinInt64, math.MaxInt64},
}

func jsonInt(t *TT, j interface{}, path string) (int64, error) {
	if m, ok := j.(map[string]interface{}); ok && len(m) == 1 {
		if s, ok := m["$i64"].(string); ok {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return 0, verr("%s: bad $i64 '%s'", path, s)
			}
			j = json.Number(strconv.FormatInt(n, 10))
		}
	}
	num, ok := j.(json.Number)
	if !ok {
		return 0, verr("%s: expected an integer for %s, got %s", path, Describe(t), short(j))
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(num), 64)
		if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
			if ferr == nil && f == math.Trunc(f) {
				return 0, verr("%s: %s out of range for %s", path, num, Describe(t))
			}
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return 0, verr("%s: %s out of range for %s", path, num, Describe(t))
			}
			return 0, verr("%s: expected an integer for %s, got %s", path, Describe(t), short(j))
		}
		if f < -9.223372036854775808e18 || f >= 9.223372036854775808e18 {
			return 0, verr("%s: %s out of range for %s", path, num, Describe(t))
		}
		n = int64(f)
	}
	r := intRanges[t.K]
	if n < r[0] || n > r[1] {
		return 0, verr("%s: %d out of range for %s", path, n, Describe(t))
	}
	return n, nil
}

func jsonDouble(j interface{}, path string) (float64, error) {
	if m, ok := j.(map[string]interface{}); ok && len(m) == 1 {
		if s, ok := m["$double"]; ok {
			switch s {
			case "NaN":
				return math.NaN(), nil
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			case "-0":
				return math.Copysign(0, -1), nil
			}
			return 0, verr("%s: bad $double %s", path, short(s))
		}
	}
	num, ok := j.(json.Number)
	if !ok {
		return 0, verr("%s: expected a number for double, got %s", path, short(j))
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, verr("%s: bad number %s", path, num)
	}
	return f, nil
}

// FromJSON converts a JSON value into a Go value of type gt for Thrift type t.
func (s *Schema) FromJSON(t *TT, j interface{}, gt reflect.Type, path string) (reflect.Value, error) {
	if j == nil {
		return reflect.Value{}, verr("%s: null is not a %s (leave the field out instead)", path, Describe(t))
	}
	if t.K == "struct" {
		if gt.Kind() != reflect.Ptr {
			p, err := s.StructFromJSON(t.S, j, path)
			if err != nil {
				return reflect.Value{}, err
			}
			return p.Elem(), nil
		}
		return s.StructFromJSON(t.S, j, path)
	}
	if gt.Kind() == reflect.Ptr {
		v, err := s.FromJSON(t, j, gt.Elem(), path)
		if err != nil {
			return v, err
		}
		p := reflect.New(gt.Elem())
		p.Elem().Set(v)
		return p, nil
	}
	out := reflect.New(gt).Elem()
	switch t.K {
	case "bool":
		b, ok := j.(bool)
		if !ok {
			return out, verr("%s: expected true/false, got %s", path, short(j))
		}
		if gt.Kind() == reflect.Bool {
			out.SetBool(b)
			return out, nil
		}
	case "i8", "i16", "i32", "i64":
		n, err := jsonInt(t, j, path)
		if err != nil {
			return out, err
		}
		if isInt(gt.Kind()) {
			out.SetInt(n)
			return out, nil
		}
	case "double":
		f, err := jsonDouble(j, path)
		if err != nil {
			return out, err
		}
		if gt.Kind() == reflect.Float64 || gt.Kind() == reflect.Float32 {
			out.SetFloat(f)
			return out, nil
		}
	case "string":
		str, ok := j.(string)
		if !ok {
			return out, verr("%s: expected a string, got %s", path, short(j))
		}
		if gt.Kind() == reflect.String {
			out.SetString(str)
			return out, nil
		}
		if gt.Kind() == reflect.Slice && gt.Elem().Kind() == reflect.Uint8 {
			out.SetBytes([]byte(str))
			return out, nil
		}
	case "binary":
		m, ok := j.(map[string]interface{})
		var b64 string
		if ok && len(m) == 1 {
			b64, ok = m["$binary"].(string)
		} else {
			ok = false
		}
		if !ok {
			return out, verr("%s: expected {\"$binary\": base64}, got %s", path, short(j))
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return out, verr("%s: bad base64 in $binary", path)
		}
		if gt.Kind() == reflect.String {
			out.SetString(string(data))
			return out, nil
		}
		if gt.Kind() == reflect.Slice && gt.Elem().Kind() == reflect.Uint8 {
			b := reflect.MakeSlice(gt, len(data), len(data))
			reflect.Copy(b, reflect.ValueOf(data))
			return b, nil
		}
	case "list", "set":
		items, ok := j.([]interface{})
		if t.K == "set" {
			if m, isMap := j.(map[string]interface{}); isMap && len(m) == 1 {
				items, ok = m["$set"].([]interface{})
			}
		}
		if !ok {
			if t.K == "set" {
				return out, verr("%s: expected {\"$set\": [...]}, got %s", path, short(j))
			}
			return out, verr("%s: expected an array, got %s", path, short(j))
		}
		switch gt.Kind() {
		case reflect.Slice:
			sl := reflect.MakeSlice(gt, 0, len(items))
			for i, e := range items {
				ep := fmt.Sprintf("%s[%d]", path, i)
				if t.K == "set" {
					ep = fmt.Sprintf("%s{%d}", path, i)
				}
				ev, err := s.FromJSON(t.E, e, gt.Elem(), ep)
				if err != nil {
					return out, err
				}
				sl = reflect.Append(sl, ev)
			}
			return sl, nil
		case reflect.Map:
			mv := reflect.MakeMapWithSize(gt, len(items))
			for i, e := range items {
				ev, err := s.FromJSON(t.E, e, gt.Key(), fmt.Sprintf("%s{%d}", path, i))
				if err != nil {
					return out, err
				}
				var present reflect.Value
				if gt.Elem().Kind() == reflect.Bool {
					present = reflect.ValueOf(true).Convert(gt.Elem())
				} else {
					present = reflect.New(gt.Elem()).Elem()
				}
				mv.SetMapIndex(ev, present)
			}
			return mv, nil
		}
	case "map":
		if gt.Kind() != reflect.Map {
			break
		}
		var entries []interface{}
		m, ok := j.(map[string]interface{})
		if ok && len(m) == 1 && m["$map"] != nil {
			entries, ok = m["$map"].([]interface{})
			if !ok {
				return out, verr("%s: $map must hold an array of [key, value] pairs", path)
			}
		} else if ok && t.Key.K == "string" {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				entries = append(entries, []interface{}{k, m[k]})
			}
		} else {
			return out, verr("%s: expected {\"$map\": [[k, v], ...]}, got %s", path, short(j))
		}
		mv := reflect.MakeMapWithSize(gt, len(entries))
		for i, e := range entries {
			pair, ok := e.([]interface{})
			if !ok || len(pair) != 2 {
				return out, verr("%s: $map entry %d is not a [key, value] pair", path, i)
			}
			kv, err := s.FromJSON(t.Key, pair[0], gt.Key(), fmt.Sprintf("%s{key %d}", path, i))
			if err != nil {
				return out, err
			}
			vv, err := s.FromJSON(t.E, pair[1], gt.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return out, err
			}
			mv.SetMapIndex(kv, vv)
		}
		return mv, nil
	}
	return out, verr("%s: a %s cannot be held as Go %s", path, Describe(t), gt)
}

// StructFromJSON builds a *T from a JSON object (the generated constructor first: IDL defaults).
func (s *Schema) StructFromJSON(key string, j interface{}, path string) (reflect.Value, error) {
	si, err := s.Struct(key)
	if err != nil {
		return reflect.Value{}, err
	}
	if path == "" {
		path = si.Name
	}
	m, ok := j.(map[string]interface{})
	if !ok {
		return reflect.Value{}, verr("%s: expected an object for %s, got %s", path, si.Name, short(j))
	}
	ptr := si.New()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		fi := si.ByName[name]
		if fi == nil {
			return reflect.Value{}, verr("%s: %s has no field named '%s'", path, si.Name, name)
		}
		v, err := s.FromJSON(fi.T, m[name], fi.GoType, path+"."+name)
		if err != nil {
			return reflect.Value{}, err
		}
		ptr.Elem().Field(fi.Index).Set(v)
	}
	return ptr, nil
}

// Convert turns a Go value held for Thrift type from into a value of Go type gt for Thrift type to
// (the types are SameType): assignment, a Go conversion, or through JSON.
func (s *Schema) Convert(v reflect.Value, from, to *TT, gt reflect.Type) (reflect.Value, error) {
	if v.Type().AssignableTo(gt) {
		return v, nil
	}
	if v.Type().ConvertibleTo(gt) && v.Kind() != reflect.Ptr && gt.Kind() != reflect.Ptr {
		return v.Convert(gt), nil
	}
	j, err := s.ToJSON(from, v, "value")
	if err != nil {
		return reflect.Value{}, err
	}
	return s.FromJSON(to, j, gt, "value")
}
