package rt

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// RaiseArg is the argument that asks the generic handler to raise a declared exception.
const RaiseArg = "raiseField"

// MaxOnewayLog is the most oneway calls kept (README: MAX_ONEWAY_LOG).
const MaxOnewayLog = 10000

// OnewayLog records every oneway call a server of this worker received.
type OnewayLog struct {
	mu      sync.Mutex
	entries []map[string]interface{}
}

func (l *OnewayLog) record(e map[string]interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	if len(l.entries) > MaxOnewayLog {
		l.entries = append([]map[string]interface{}(nil), l.entries[len(l.entries)-MaxOnewayLog:]...)
	}
}

// Take returns the log (and empties it when clear).
func (l *OnewayLog) Take(clear bool) []map[string]interface{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]map[string]interface{}{}, l.entries...)
	if clear {
		l.entries = nil
	}
	return out
}

// Oneways is this worker's oneway log.
var Oneways = &OnewayLog{}

// GenericHandler answers one server's calls: KeyValue (if asked) first, then the generic rules.
type GenericHandler struct {
	schema  *Schema
	svc     *MService
	service string // the name the serve request used
	port    int
	store   *kvStore
	script  script // scripted answers and received calls (scripted.go)
}

type kvStore struct {
	mu     sync.Mutex
	values map[interface{}]storedValue
}

type storedValue struct {
	v reflect.Value
	t *TT
}

// isSet: a nil pointer, map, slice or interface is unset; any other Go value is held.
func isSet(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Map, reflect.Slice, reflect.Interface:
		return !v.IsNil()
	}
	return true
}

func hashable(v reflect.Value) (interface{}, bool) {
	for v.Kind() == reflect.Ptr || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, true
		}
		v = v.Elem()
	}
	if !v.Type().Comparable() {
		return nil, false
	}
	// key by the underlying value (a string key of any named string type compares equal)
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	}
	return v.Interface(), true
}

// Call is what every generated adapter method calls.
func (h *GenericHandler) Call(ctx context.Context, fname string, ret interface{}, args ...interface{}) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	fn, ferr := h.schema.Function(h.svc, fname)
	if ferr != nil {
		return ferr
	}
	vals := make([]reflect.Value, len(fn.Params))
	for i := range fn.Params {
		if i < len(args) {
			vals[i] = reflect.ValueOf(args[i])
		}
	}
	if fn.Oneway {
		entry := map[string]interface{}{"port": h.port, "service": h.service, "function": fn.Name,
			"time": float64(time.Now().UnixNano()) / 1e9}
		entry["args"] = h.argsJSON(fn, vals)
		Oneways.record(entry)
	}
	var retv reflect.Value
	if ret != nil {
		retv = reflect.ValueOf(ret).Elem()
	}
	if done, e := h.scripted(fn, vals, retv); done {
		return e
	}
	if h.store != nil {
		if done, e := h.keyValue(fn, vals, retv); done {
			return e
		}
	}
	return h.generic(fn, vals, retv)
}

func (h *GenericHandler) paramIndex(fn *MFunc, name string) int {
	for i, p := range fn.Params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// raise returns the exception value for field ef: v if given, else built from JSON, else the constructor's.
func (h *GenericHandler) raise(ef *MField, v reflect.Value, j interface{}) error {
	if !v.IsValid() {
		if j != nil {
			p, err := h.schema.StructFromJSON(ef.T.S, j, "")
			if err != nil {
				return err
			}
			v = p
		} else {
			si, err := h.schema.Struct(ef.T.S)
			if err != nil {
				return err
			}
			v = si.New()
		}
	}
	if e, ok := v.Interface().(error); ok {
		return e
	}
	return fmt.Errorf("exception %s (Go %s) is not an error", ef.Name, v.Type())
}

func (h *GenericHandler) setReturn(fn *MFunc, retv reflect.Value, v reflect.Value, from *TT) error {
	if !retv.IsValid() {
		return nil
	}
	cv, err := h.schema.Convert(v, from, fn.Returns, retv.Type())
	if err != nil {
		return fmt.Errorf("%s: cannot return the value: %v", fn.Name, err)
	}
	retv.Set(cv)
	return nil
}

func (h *GenericHandler) generic(fn *MFunc, vals []reflect.Value, retv reflect.Value) error {
	if i := h.paramIndex(fn, RaiseArg); i >= 0 && isSet(vals[i]) {
		v := vals[i]
		for v.Kind() == reflect.Ptr {
			v = v.Elem()
		}
		if v.Kind() == reflect.String {
			wanted := v.String()
			for _, ef := range fn.Exceptions {
				if ef.Name != wanted {
					continue
				}
				for k, p := range fn.Params {
					if isSet(vals[k]) && SameType(p.T, ef.T) {
						return h.raise(ef, vals[k], nil)
					}
				}
				return h.raise(ef, reflect.Value{}, nil)
			}
		}
	}
	if fn.Oneway || fn.Returns == nil {
		return nil
	}
	for k, p := range fn.Params {
		if isSet(vals[k]) && SameType(p.T, fn.Returns) {
			return h.setReturn(fn, retv, vals[k], p.T)
		}
	}
	return fmt.Errorf("%s: no argument of the return type %s is set, and no %s names a declared exception", fn.Name, Describe(fn.Returns), RaiseArg)
}

var kvSetters = map[string]bool{"put": true, "set": true, "setValue": true}

func (h *GenericHandler) keyValue(fn *MFunc, vals []reflect.Value, retv reflect.Value) (bool, error) {
	ki := h.paramIndex(fn, "key")
	if fn.Name == "get" && ki >= 0 {
		key, ok := hashable(vals[ki])
		if ok {
			h.store.mu.Lock()
			sv, found := h.store.values[key]
			h.store.mu.Unlock()
			if found {
				if fn.Returns == nil {
					return true, nil
				}
				if !sv.v.IsValid() {
					return true, fmt.Errorf("get: the stored value is unset")
				}
				return true, h.setReturn(fn, retv, sv.v, sv.t)
			}
		}
		if len(fn.Exceptions) > 0 {
			ef := fn.Exceptions[0]
			payload := map[string]interface{}{}
			if si, err := h.schema.Struct(ef.T.S); err == nil {
				if kf := si.ByName["key"]; kf != nil && kf.T.K == "string" {
					if s, isStr := key.(string); isStr && isSet(vals[ki]) {
						payload["key"] = s
					}
				}
			}
			return true, h.raise(ef, reflect.Value{}, payload)
		}
		return true, fmt.Errorf("get: no value for %v and no exception declared", key)
	}
	vi := h.paramIndex(fn, "value")
	if kvSetters[fn.Name] && ki >= 0 && vi >= 0 {
		key, ok := hashable(vals[ki])
		if !ok {
			return true, fmt.Errorf("%s: the key is not hashable", fn.Name)
		}
		var stored reflect.Value
		if isSet(vals[vi]) {
			stored = vals[vi]
		}
		h.store.mu.Lock()
		h.store.values[key] = storedValue{v: stored, t: fn.Params[vi].T}
		h.store.mu.Unlock()
		if fn.Returns == nil {
			return true, nil
		}
		if !stored.IsValid() {
			return true, fmt.Errorf("%s: no value to return", fn.Name)
		}
		return true, h.setReturn(fn, retv, stored, fn.Params[vi].T)
	}
	return false, nil
}
