package rt

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
)

// Named limits of peers/README.md.
const (
	ConnectTimeout    = 5 * time.Second   // CONNECT_TIMEOUT_S
	CallIOTimeout     = 30 * time.Second  // CALL_IO_TIMEOUT_S
	ServerIdleTimeout = 600 * time.Second // SERVER_IDLE_TIMEOUT_S
	MaxMessageBytes   = 64 * 1024 * 1024  // MAX_MESSAGE_BYTES
	bufferSize        = 64 * 1024         // TBufferedTransport buffer
	listenAddr        = "127.0.0.1:0"
)

// Worker is the state of one worker process: bound modules and running servers.
type Worker struct {
	mu      sync.Mutex
	modules map[string]*Schema // handle -> schema
	servers map[int]*thrift.TSimpleServer
}

// NewWorker makes an empty worker.
func NewWorker() *Worker {
	return &Worker{modules: map[string]*Schema{}, servers: map[int]*thrift.TSimpleServer{}}
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "[apache-go worker %d] %s\n", os.Getpid(), fmt.Sprintf(format, args...))
}

// WorkerMain serves the control channel on stdin/stdout until EOF or shutdown.
func WorkerMain() {
	w := NewWorker()
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	for {
		raw, err := ReadMessage(in)
		if err == io.EOF || (err != nil && err != ErrTooLong) {
			return
		}
		var resp map[string]interface{}
		var op string
		if err == ErrTooLong {
			resp = map[string]interface{}{"id": nil, "ok": false, "error": ErrorBody(err)}
		} else {
			resp, op = w.Handle(raw)
		}
		data, merr := Marshal(resp)
		if merr != nil {
			data, _ = Marshal(map[string]interface{}{"id": resp["id"], "ok": false,
				"error": map[string]interface{}{"type": "InternalError", "message": "unencodable response: " + merr.Error()}})
		}
		if len(data) > MaxControlMessageBytes {
			data, _ = Marshal(map[string]interface{}{"id": resp["id"], "ok": false,
				"error": map[string]interface{}{"type": "InternalError", "message": "response too large"}})
		}
		if _, err := out.Write(Frame(data)); err != nil {
			return
		}
		if err := out.Flush(); err != nil {
			return
		}
		if op == "shutdown" || err == ErrTooLong {
			return
		}
	}
}

// Handle runs one request and returns the response object and the op name.
func (w *Worker) Handle(raw []byte) (map[string]interface{}, string) {
	req, err := ParseRequest(raw)
	if err != nil {
		return map[string]interface{}{"id": nil, "ok": false, "error": ErrorBody(err)}, ""
	}
	op, _ := req["op"].(string)
	result, err := w.run(req, op, false)
	resp := map[string]interface{}{"id": req["id"]}
	if err != nil {
		resp["ok"] = false
		resp["error"] = ErrorBody(err)
		return resp, op
	}
	resp["ok"] = true
	for k, v := range result {
		resp[k] = v
	}
	return resp, op
}

func (w *Worker) run(req map[string]interface{}, op string, inBatch bool) (result map[string]interface{}, err error) {
	defer func() {
		if r := recover(); r != nil {
			logf("panic in %s: %v\n%s", op, r, debug.Stack())
			result, err = nil, Errf("InternalError", "%s: panic: %v", op, r)
		}
	}()
	switch op {
	case "bind":
		return w.opBind(req)
	case "encode":
		return w.opEncode(req)
	case "roundtrip":
		return w.opRoundtrip(req)
	case "serve":
		return w.opServe(req)
	case "stop":
		return w.opStop(req)
	case "call":
		return w.opCall(req)
	case "oneway_log":
		clear, err := BoolParam(req, "clear", false)
		if err != nil {
			return nil, err
		}
		calls := Oneways.Take(clear)
		return map[string]interface{}{"calls": calls}, nil
	case "answer":
		return OpAnswer(req)
	case "received":
		return OpReceived(req)
	case "servers":
		w.mu.Lock()
		n := len(w.servers)
		w.mu.Unlock()
		return map[string]interface{}{"servers": n}, nil
	case "batch":
		if inBatch {
			return nil, Errf("BadRequest", "batches do not nest")
		}
		return w.opBatch(req)
	case "shutdown":
		return map[string]interface{}{}, nil
	}
	return nil, Errf("UnknownOp", "unknown op '%s'", op)
}

func (w *Worker) opBatch(req map[string]interface{}) (map[string]interface{}, error) {
	reqs, ok := req["requests"].([]interface{})
	if !ok {
		return nil, Errf("BadRequest", "batch: missing parameter 'requests'")
	}
	out := make([]interface{}, 0, len(reqs))
	for _, r := range reqs {
		sub, ok := r.(map[string]interface{})
		if !ok {
			out = append(out, map[string]interface{}{"ok": false, "error": ErrorBody(Errf("BadRequest", "a request must be a JSON object"))})
			continue
		}
		op, _ := sub["op"].(string)
		res, err := w.run(sub, op, true)
		if err != nil {
			out = append(out, map[string]interface{}{"ok": false, "error": ErrorBody(err)})
			continue
		}
		m := map[string]interface{}{"ok": true}
		for k, v := range res {
			m[k] = v
		}
		out = append(out, m)
	}
	return map[string]interface{}{"responses": out}, nil
}

func (w *Worker) opBind(req map[string]interface{}) (map[string]interface{}, error) {
	handle, err := StrParam(req, "module", nil)
	if err != nil {
		return nil, err
	}
	hash, err := StrParam(req, "schema", nil)
	if err != nil {
		return nil, err
	}
	s := Lookup(hash)
	if s == nil {
		return nil, Errf("UnknownModule", "schema %s is not in this worker", hash)
	}
	w.mu.Lock()
	w.modules[handle] = s
	w.mu.Unlock()
	return map[string]interface{}{}, nil
}

func (w *Worker) module(req map[string]interface{}) (*Schema, string, error) {
	handle, err := StrParam(req, "module", nil)
	if err != nil {
		return nil, "", err
	}
	w.mu.Lock()
	s := w.modules[handle]
	w.mu.Unlock()
	if s == nil {
		return nil, "", Errf("UnknownModule", "no module '%s'; load_idl first", handle)
	}
	return s, handle, nil
}

// ---- protocols and transports ----

func config() *thrift.TConfiguration {
	return &thrift.TConfiguration{
		MaxMessageSize: MaxMessageBytes,
		MaxFrameSize:   MaxMessageBytes,
		ConnectTimeout: ConnectTimeout,
		SocketTimeout:  CallIOTimeout,
	}
}

func protocolFactory(req map[string]interface{}, withEnvelope bool) (thrift.TProtocolFactory, error) {
	protocol, err := ChoiceParam(req, "protocol", []string{"binary", "compact"}, "binary")
	if err != nil {
		return nil, err
	}
	if acc, err := BoolParam(req, "accelerated", false); err != nil {
		return nil, err
	} else if acc {
		return nil, Errf("Unsupported", "accelerated: Apache Thrift's Go library has no accelerated protocols")
	}
	conf := config()
	strictWrite, strictRead := true, false
	if withEnvelope {
		env, err := ChoiceParam(req, "envelope", []string{"strict", "nonstrict"}, "strict")
		if err != nil {
			return nil, err
		}
		strictWrite = env == "strict"
		if strictRead, err = BoolParam(req, "strictRead", false); err != nil {
			return nil, err
		}
	}
	conf.TBinaryStrictWrite = &strictWrite
	conf.TBinaryStrictRead = &strictRead
	if protocol == "compact" {
		return thrift.NewTCompactProtocolFactoryConf(conf), nil
	}
	return thrift.NewTBinaryProtocolFactoryConf(conf), nil
}

func transportName(req map[string]interface{}) (string, error) {
	def := "framed"
	t, err := StrParam(req, "transport", &def)
	if err != nil {
		return "", err
	}
	if t != "framed" && t != "buffered" {
		return "", Errf("Unsupported", "transport '%s'; supported: [framed buffered]", t)
	}
	return t, nil
}

func transportFactory(name string) thrift.TTransportFactory {
	if name == "framed" {
		return thrift.NewTFramedTransportFactoryConf(thrift.NewTTransportFactory(), config())
	}
	return thrift.NewTBufferedTransportFactory(bufferSize)
}

// ---- encode / roundtrip ----

func encodeError(err error) error {
	if pe, ok := err.(*PeerError); ok {
		return pe
	}
	return Errf("EncodeError", "%s", err.Error())
}

func serialize(ptr reflect.Value, pf thrift.TProtocolFactory) ([]byte, error) {
	buf := thrift.NewTMemoryBuffer()
	prot := pf.GetProtocol(buf)
	ctx := context.Background()
	ts, ok := ptr.Interface().(thrift.TStruct)
	if !ok {
		return nil, Errf("EncodeError", "Go %s is not a thrift.TStruct", ptr.Type())
	}
	if err := ts.Write(ctx, prot); err != nil {
		return nil, Errf("EncodeError", "%v", err)
	}
	if err := prot.Flush(ctx); err != nil {
		return nil, Errf("EncodeError", "%v", err)
	}
	return buf.Bytes(), nil
}

func (w *Worker) opEncode(req map[string]interface{}) (map[string]interface{}, error) {
	s, handle, err := w.module(req)
	if err != nil {
		return nil, err
	}
	pf, err := protocolFactory(req, false)
	if err != nil {
		return nil, err
	}
	name, err := StrParam(req, "type", nil)
	if err != nil {
		return nil, err
	}
	si, err := s.StructType(name, handle)
	if err != nil {
		return nil, err
	}
	ptr, err := s.StructFromJSON(si.Key, req["value"], "")
	if err != nil {
		return nil, encodeError(err)
	}
	data, err := serialize(ptr, pf)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{"bytes": base64.StdEncoding.EncodeToString(data)}, nil
}

func b64Param(req map[string]interface{}, name string) ([]byte, error) {
	s, err := StrParam(req, name, nil)
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, Errf("BadRequest", "%s: %s is not valid base64", opName(req), name)
	}
	return data, nil
}

func (w *Worker) opRoundtrip(req map[string]interface{}) (map[string]interface{}, error) {
	s, handle, err := w.module(req)
	if err != nil {
		return nil, err
	}
	pf, err := protocolFactory(req, false)
	if err != nil {
		return nil, err
	}
	name, err := StrParam(req, "type", nil)
	if err != nil {
		return nil, err
	}
	si, err := s.StructType(name, handle)
	if err != nil {
		return nil, err
	}
	data, err := b64Param(req, "bytes")
	if err != nil {
		return nil, err
	}
	buf := &thrift.TMemoryBuffer{Buffer: bytes.NewBuffer(data)}
	prot := pf.GetProtocol(buf)
	ptr := si.New()
	if err := ptr.Interface().(thrift.TStruct).Read(context.Background(), prot); err != nil {
		return nil, Errf("DecodeError", "%v", err)
	}
	trailing := buf.Len()
	value, err := s.StructToJSON(si.Key, ptr, "")
	if err != nil {
		return nil, Errf("DecodeError", "%v", err)
	}
	out, err := serialize(ptr, pf)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{"value": value, "bytes": base64.StdEncoding.EncodeToString(out), "trailing": trailing}, nil
}

// ---- serve / stop ----

func (w *Worker) opServe(req map[string]interface{}) (map[string]interface{}, error) {
	s, handle, err := w.module(req)
	if err != nil {
		return nil, err
	}
	pf, err := protocolFactory(req, true)
	if err != nil {
		return nil, err
	}
	tname, err := transportName(req)
	if err != nil {
		return nil, err
	}
	service, err := StrParam(req, "service", nil)
	if err != nil {
		return nil, err
	}
	svc, err := s.Service(service, handle)
	if err != nil {
		return nil, err
	}
	reg, ok := s.Svcs[svc.Go]
	if !ok {
		return nil, Errf("UnknownService", "service '%s' has no generated Go processor", service)
	}
	none := ""
	impl, err := StrParam(req, "impl", &none)
	if err != nil {
		return nil, err
	}
	h := &GenericHandler{schema: s, svc: svc, service: service}
	if impl == "keyvalue" {
		h.store = &kvStore{values: map[interface{}]storedValue{}}
	}
	sock, err := thrift.NewTServerSocketTimeout(listenAddr, ServerIdleTimeout)
	if err != nil {
		return nil, Errf("TransportError", "listen: %v", err)
	}
	if err := sock.Listen(); err != nil {
		return nil, Errf("TransportError", "listen: %v", err)
	}
	port := sock.Addr().(*net.TCPAddr).Port
	h.port = port
	registerHandler(port, h)
	server := thrift.NewTSimpleServer4(reg.Processor(h), sock, transportFactory(tname), pf)
	go func() {
		if err := server.Serve(); err != nil {
			logf("server %d: %v", port, err)
		}
	}()
	w.mu.Lock()
	w.servers[port] = server
	w.mu.Unlock()
	logf("serving %s of %s on 127.0.0.1:%d (%v, %s, impl=%s)", service, handle, port, req["protocol"], tname, impl)
	return map[string]interface{}{"port": port}, nil
}

func (w *Worker) opStop(req map[string]interface{}) (map[string]interface{}, error) {
	port, err := IntParam(req, "port", nil)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	server := w.servers[int(port)]
	delete(w.servers, int(port))
	w.mu.Unlock()
	if server == nil {
		return nil, Errf("BadRequest", "no server on port %d", port)
	}
	server.Stop() // closes the listening socket; ServerStopTimeout 0: does not wait for connections
	return map[string]interface{}{}, nil
}

// ---- call ----

// CheckHost allows only loopback addresses.
func CheckHost(host string) (string, error) {
	if host == "localhost" {
		return "127.0.0.1", nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "", Errf("BadRequest", "host '%s' is not an IP address; only loopback is allowed", host)
	}
	if !ip.IsLoopback() {
		return "", Errf("BadRequest", "host %s is not a loopback address; peers only talk to 127.0.0.1", host)
	}
	return host, nil
}

func isTransportErr(err error) bool {
	var te thrift.TTransportException
	if errors.As(err, &te) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

func (w *Worker) opCall(req map[string]interface{}) (map[string]interface{}, error) {
	s, handle, err := w.module(req)
	if err != nil {
		return nil, err
	}
	pf, err := protocolFactory(req, true)
	if err != nil {
		return nil, err
	}
	tname, err := transportName(req)
	if err != nil {
		return nil, err
	}
	service, err := StrParam(req, "service", nil)
	if err != nil {
		return nil, err
	}
	svc, err := s.Service(service, handle)
	if err != nil {
		return nil, err
	}
	fname, err := StrParam(req, "function", nil)
	if err != nil {
		return nil, err
	}
	fn, err := s.Function(svc, fname)
	if err != nil {
		return nil, err
	}
	reg, ok := s.Svcs[svc.Go]
	if !ok {
		return nil, Errf("UnknownService", "service '%s' has no generated Go client", service)
	}
	var args map[string]interface{}
	if a, present := req["args"]; present && a != nil {
		if args, ok = a.(map[string]interface{}); !ok {
			return nil, Errf("BadRequest", "call: parameter 'args' has the wrong type (%s)", jsonKind(a))
		}
	}
	asi, err := s.Struct(fn.Args)
	if err != nil {
		return nil, err
	}
	argsPtr := asi.New()
	for name, j := range args {
		fi := asi.ByName[name]
		if fi == nil {
			return nil, Errf("EncodeError", "%s has no argument '%s'", fn.Name, name)
		}
		v, err := s.FromJSON(fi.T, j, fi.GoType, name)
		if err != nil {
			return nil, encodeError(err)
		}
		argsPtr.Elem().Field(fi.Index).Set(v)
	}
	// what the generated client will write, checked first: failures here are EncodeErrors
	if _, err := serialize(argsPtr, pf); err != nil {
		return nil, Errf("EncodeError", "%s: %s", fn.Name, err.(*PeerError).Message)
	}
	one := int64(1)
	repeat, err := IntParam(req, "repeat", &one)
	if err != nil {
		return nil, err
	}
	local := "127.0.0.1"
	host, err := StrParam(req, "host", &local)
	if err != nil {
		return nil, err
	}
	if host, err = CheckHost(host); err != nil {
		return nil, err
	}
	port, err := IntParam(req, "port", nil)
	if err != nil {
		return nil, err
	}
	if port <= 0 || port >= 65536 {
		return nil, Errf("BadRequest", "bad port %d", port)
	}
	sock := thrift.NewTSocketConf(net.JoinHostPort(host, strconv.Itoa(int(port))), config())
	var trans thrift.TTransport = sock
	if tname == "framed" {
		trans = thrift.NewTFramedTransportConf(sock, config())
	} else {
		trans = thrift.NewTBufferedTransport(sock, bufferSize)
	}
	if err := trans.Open(); err != nil {
		return nil, Errf("TransportError", "cannot connect to %s:%d: %v", host, port, err)
	}
	defer trans.Close()
	client := reflect.ValueOf(reg.Client(trans, pf))
	method := client.MethodByName(fn.Method)
	if !method.IsValid() {
		return nil, Errf("UnknownFunction", "the generated client has no method %s", fn.Method)
	}
	mt := method.Type()
	in := []reflect.Value{reflect.ValueOf(context.Background())}
	for _, fi := range asi.Fields {
		in = append(in, argsPtr.Elem().Field(fi.Index))
	}
	if mt.NumIn() != len(in) {
		return nil, Errf("InternalError", "%s: the generated method takes %d arguments, the args struct has %d fields", fn.Method, mt.NumIn(), len(in))
	}
	var result map[string]interface{}
	t0 := time.Now()
	if repeat < 1 {
		repeat = 1
	}
	for i := int64(0); i < repeat; i++ {
		outs := method.Call(in)
		result, err = w.callResult(s, fn, outs)
		if err != nil {
			return nil, err
		}
	}
	elapsed := time.Since(t0)
	if repeat > 1 {
		result["repeat"] = repeat
		result["elapsedMs"] = float64(elapsed.Microseconds()) / 1000
	}
	return result, nil
}

func (w *Worker) callResult(s *Schema, fn *MFunc, outs []reflect.Value) (map[string]interface{}, error) {
	errv := outs[len(outs)-1]
	if !errv.IsNil() {
		err := errv.Interface().(error)
		var ae thrift.TApplicationException
		if errors.As(err, &ae) {
			return map[string]interface{}{"applicationException": appExc{Type: ae.TypeId(), Message: ae.Error()}}, nil
		}
		for _, ef := range fn.Exceptions {
			si, serr := s.Struct(ef.T.S)
			if serr != nil {
				continue
			}
			if reflect.TypeOf(err) == si.Ptr {
				v, jerr := s.StructToJSON(si.Key, reflect.ValueOf(err), "")
				if jerr != nil {
					return nil, Errf("DecodeError", "%v", jerr)
				}
				return map[string]interface{}{"exception": declaredExc{Type: si.Name, Field: ef.Name, Value: v}}, nil
			}
		}
		if isTransportErr(err) {
			return nil, Errf("TransportError", "%s: %v", fn.Name, err)
		}
		return nil, Errf("DecodeError", "reply to %s: %v", fn.Name, err)
	}
	if fn.Oneway || fn.Returns == nil || len(outs) < 2 {
		return map[string]interface{}{"result": nil}, nil
	}
	j, err := s.ToJSON(fn.Returns, outs[0], "result")
	if err != nil {
		return nil, Errf("DecodeError", "%v", err)
	}
	return map[string]interface{}{"result": j}, nil
}

// appExc and declaredExc keep the key order of the README's examples.
type appExc struct {
	Type    int32  `json:"type"`
	Message string `json:"message"`
}

type declaredExc struct {
	Type  string      `json:"type"`
	Field string      `json:"field"`
	Value interface{} `json:"value"`
}
