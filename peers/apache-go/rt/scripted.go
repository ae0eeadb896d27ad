package rt

// Scripted answers (peers/README.md, "Scripted answers"): the `answer` op tells the server on a
// port what to answer to the next call of a function (a result, a declared exception, or
// nothing), and the `received` op returns the calls it received since it was first scripted.

import (
	"fmt"
	"reflect"
	"sync"
)

// MaxScripted is the most answers queued per server and function, and received calls kept per server.
const MaxScripted = 10000

// script is one server's queued answers and received calls.
type script struct {
	mu       sync.Mutex
	answers  map[string][]map[string]interface{}
	received []map[string]interface{}
	on       bool // scripted at least once: calls are recorded from then on
}

// Handlers is every server's handler of this worker, by port (the answer/received ops find them here).
var Handlers = struct {
	sync.Mutex
	byPort map[int]*GenericHandler
}{byPort: map[int]*GenericHandler{}}

func registerHandler(port int, h *GenericHandler) {
	Handlers.Lock()
	Handlers.byPort[port] = h
	Handlers.Unlock()
}

func handlerOf(req map[string]interface{}) (*GenericHandler, error) {
	port, err := IntParam(req, "port", nil)
	if err != nil {
		return nil, err
	}
	Handlers.Lock()
	h := Handlers.byPort[int(port)]
	Handlers.Unlock()
	if h == nil {
		return nil, Errf("BadRequest", "no server on port %d; `serve` first and use the port it answers", port)
	}
	return h, nil
}

// checkAnswer checks the `answer` parameter: exactly one of {"result": v},
// {"exception": {"field": f, "value": {...}}}, {"none": true}.
func checkAnswer(a interface{}) (map[string]interface{}, error) {
	m, ok := a.(map[string]interface{})
	if !ok || len(m) != 1 {
		return nil, Errf("BadRequest", `answer: expected one of {"result": v}, {"exception": {"field": f, "value": {...}}}, {"none": true}`)
	}
	if _, ok := m["result"]; ok {
		return m, nil
	}
	if e, ok := m["exception"]; ok {
		em, ok := e.(map[string]interface{})
		if ok {
			_, fok := em["field"].(string)
			v, has := em["value"]
			_, vok := v.(map[string]interface{})
			if fok && (!has || vok) {
				return m, nil
			}
		}
		return nil, Errf("BadRequest", `answer.exception: expected {"field": "<name in throws>", "value": {...}}`)
	}
	if n, ok := m["none"]; ok && n == true {
		return m, nil
	}
	for k := range m {
		return nil, Errf("BadRequest", "answer: unknown kind %q; expected result, exception or none", k)
	}
	return m, nil
}

// OpAnswer is the `answer` op: {port, function, answer, reset?} -> {queued}.
func OpAnswer(req map[string]interface{}) (map[string]interface{}, error) {
	h, err := handlerOf(req)
	if err != nil {
		return nil, err
	}
	fname, err := StrParam(req, "function", nil)
	if err != nil || fname == "" {
		return nil, Errf("BadRequest", "parameter 'function' must be a function name")
	}
	reset, err := BoolParam(req, "reset", false)
	if err != nil {
		return nil, Errf("BadRequest", "parameter 'reset' must be true or false")
	}
	a, err := checkAnswer(req["answer"])
	if err != nil {
		return nil, err
	}
	s := &h.script
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers == nil {
		s.answers = map[string][]map[string]interface{}{}
	}
	if reset {
		s.answers[fname] = nil
	}
	if len(s.answers[fname]) >= MaxScripted {
		return nil, Errf("BadRequest", "answer: %d answers already queued for %s on port %d; call it first", MaxScripted, fname, h.port)
	}
	s.answers[fname] = append(s.answers[fname], a)
	s.on = true
	return map[string]interface{}{"queued": len(s.answers[fname])}, nil
}

// OpReceived is the `received` op: {port} -> {calls: [{function, args, oneway}]} (then forgotten).
func OpReceived(req map[string]interface{}) (map[string]interface{}, error) {
	h, err := handlerOf(req)
	if err != nil {
		return nil, err
	}
	s := &h.script
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.received
	if out == nil {
		out = []map[string]interface{}{}
	}
	s.received = nil
	return map[string]interface{}{"calls": out}, nil
}

// argsJSON is the set arguments of a call as JSON ({"$error": …} when one cannot be converted).
func (h *GenericHandler) argsJSON(fn *MFunc, vals []reflect.Value) map[string]interface{} {
	aj := map[string]interface{}{}
	for i, p := range fn.Params {
		if !isSet(vals[i]) {
			continue
		}
		j, jerr := h.schema.ToJSON(p.T, vals[i], p.Name)
		if jerr != nil {
			return map[string]interface{}{"$error": jerr.Error()}
		}
		aj[p.Name] = j
	}
	return aj
}

// scripted records the call (once scripted) and answers the next queued answer for it, if any:
// done is false when nothing is queued (the other rules decide).
func (h *GenericHandler) scripted(fn *MFunc, vals []reflect.Value, retv reflect.Value) (done bool, err error) {
	s := &h.script
	s.mu.Lock()
	if !s.on {
		s.mu.Unlock()
		return false, nil
	}
	s.received = append(s.received, map[string]interface{}{"function": fn.Name, "args": h.argsJSON(fn, vals), "oneway": fn.Oneway})
	if len(s.received) > MaxScripted {
		s.received = s.received[len(s.received)-MaxScripted:]
	}
	q := s.answers[fn.Name]
	if len(q) == 0 {
		s.mu.Unlock()
		return false, nil
	}
	a := q[0]
	s.answers[fn.Name] = q[1:]
	s.mu.Unlock()
	if _, ok := a["none"]; ok {
		return true, nil
	}
	if j, ok := a["result"]; ok {
		if fn.Returns == nil || !retv.IsValid() {
			return true, fmt.Errorf("%s: a scripted result for a void function", fn.Name)
		}
		cv, cerr := h.schema.FromJSON(fn.Returns, j, retv.Type(), "result")
		if cerr != nil {
			return true, fmt.Errorf("%s: the scripted result does not fit: %v", fn.Name, cerr)
		}
		retv.Set(cv)
		return true, nil
	}
	e := a["exception"].(map[string]interface{})
	name := e["field"].(string)
	value, has := e["value"]
	if !has {
		value = map[string]interface{}{}
	}
	for _, ef := range fn.Exceptions {
		if ef.Name == name {
			return true, h.raise(ef, reflect.Value{}, value)
		}
	}
	return true, fmt.Errorf("%s: the scripted exception %q is not in its throws clause", fn.Name, name)
}
