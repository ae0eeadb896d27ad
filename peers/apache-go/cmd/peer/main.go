// Command peer is the apache-go peer's supervisor: it speaks the control protocol of
// peers/README.md on stdin/stdout, compiles each IDL with `thrift --gen go` into a worker binary
// (cached; `prepare` builds many schemas in one `go build`) and forwards the ops that need the
// library (encode, roundtrip, serve, call) to the worker process that holds the schema.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

var started = time.Now()

// MaxControlMessageBytes is the largest control message (README: MAX_CONTROL_MESSAGE_BYTES).
const MaxControlMessageBytes = 256 * 1024 * 1024

// MaxIdlFiles is the most files in one load_idl.
const MaxIdlFiles = 1000

// MaxLiveWorkers is how many worker processes may run at once; idle ones (no servers) are
// stopped, least recently used first, and started again when needed.
const MaxLiveWorkers = 12

// GenVersion changes when the generated registration changes (part of the cache key).
const GenVersion = "apache-go-gen-3"

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "[apache-go +%7.3fs] %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, args...))
}

type peerError struct{ typ, msg string }

func (e *peerError) Error() string { return e.typ + ": " + e.msg }

func perr(typ, format string, args ...interface{}) *peerError {
	return &peerError{typ: typ, msg: fmt.Sprintf(format, args...)}
}

func errorBody(err error) map[string]interface{} {
	var pe *peerError
	if errors.As(err, &pe) {
		return map[string]interface{}{"type": pe.typ, "message": pe.msg}
	}
	return map[string]interface{}{"type": fmt.Sprintf("%T", err), "message": err.Error()}
}

// ---- framing ----

func readMessage(r *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, io.EOF
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxControlMessageBytes {
		// Refused at once: waiting for 4 GiB that never come would hang the harness, and the bytes
		// that follow cannot be told apart from the next message, so the peer exits after answering.
		return nil, errTooLong(n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, io.EOF
	}
	return buf, nil
}

// exitDesynced is the exit code after a length prefix over MaxControlMessageBytes.
const exitDesynced = 2

// tooLong is a length prefix over MaxControlMessageBytes: answered, then the peer exits.
type tooLong struct{ *peerError }

func errTooLong(n uint32) error {
	return tooLong{perr("BadRequest", "control message of %d bytes exceeds the limit of %d bytes (MAX_CONTROL_MESSAGE_BYTES; send large values in several requests); the channel cannot find the next message, so the peer exits", n, MaxControlMessageBytes)}
}

func frame(payload []byte) []byte {
	out := make([]byte, 4+len(payload))
	binary.BigEndian.PutUint32(out, uint32(len(payload)))
	copy(out[4:], payload)
	return out
}

// ---- workers ----

type worker struct {
	bin     string
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	bound   map[string]bool
	servers map[int]bool
	lastUse time.Time
	alive   bool
}

func (w *worker) start() error {
	cmd := exec.Command(w.bin)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	now := time.Now()
	os.Chtimes(w.bin, now, now) // recently used: kept by pruneBins
	w.cmd, w.in, w.out, w.alive = cmd, in, bufio.NewReaderSize(out, 1<<16), true
	w.bound = map[string]bool{}
	w.servers = map[int]bool{}
	go func(c *exec.Cmd) { c.Wait() }(cmd) // reaped; a dead worker shows as EOF on its stdout
	return nil
}

// roundtrip sends one raw request and returns the raw response.
func (w *worker) roundtrip(raw []byte) ([]byte, error) {
	w.lastUse = time.Now()
	if _, err := w.in.Write(frame(raw)); err != nil {
		w.alive = false
		return nil, err
	}
	resp, err := readMessage(w.out)
	if err != nil {
		w.alive = false
		return nil, fmt.Errorf("the worker process ended")
	}
	return resp, nil
}

func (w *worker) stop() {
	if w.alive {
		w.in.Close()
		done := make(chan struct{})
		go func() { io.Copy(io.Discard, w.out); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			w.cmd.Process.Kill()
		}
	}
	w.alive = false
}

// ---- the supervisor ----

type module struct {
	handle string
	hash   string
	bin    string
}

type supervisor struct {
	name      string
	manifest  map[string]interface{}
	abilities json.RawMessage
	version   string
	b         *builder
	modules   map[string]*module
	workers   map[string]*worker // by binary
	ports     map[int]*worker
	savedLogs []interface{}
	mu        sync.Mutex
	stats     struct {
		loads, cached, prepared int
		loadTime                time.Duration
	}
}

type envelope struct {
	ID       interface{}     `json:"id"`
	Op       interface{}     `json:"op"`
	Module   interface{}     `json:"module"`
	Port     interface{}     `json:"port"`
	Requests json.RawMessage `json:"requests"`
}

func (s *supervisor) handle(raw []byte) ([]byte, string) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		var any interface{}
		if json.Unmarshal(raw, &any) == nil {
			return s.errResp(nil, perr("BadRequest", "a request must be a JSON object")), ""
		}
		return s.errResp(nil, perr("BadRequest", "not JSON: %v", err)), ""
	}
	op, _ := env.Op.(string)
	var result map[string]interface{}
	var err error
	switch op {
	case "hello":
		result = s.hello()
	case "load_idl":
		result, err = s.loadIdl(raw)
	case "prepare":
		result, err = s.prepare(raw)
	case "encode", "roundtrip", "serve", "call":
		return s.forward(raw, env, op), op
	case "batch":
		return s.batch(raw, env), op
	case "stop":
		return s.stopServer(raw, env), op
	case "answer", "received":
		return s.toServer(raw, env, op), op
	case "oneway_log":
		result, err = s.onewayLog(raw)
	case "shutdown":
		result = map[string]interface{}{}
	default:
		err = perr("UnknownOp", "unknown op %q; known: [answer batch call encode hello load_idl oneway_log prepare received roundtrip serve shutdown stop]", env.Op)
	}
	if err != nil {
		return s.errResp(env.ID, err), op
	}
	resp := map[string]interface{}{"id": env.ID, "ok": true}
	for k, v := range result {
		resp[k] = v
	}
	data, merr := json.Marshal(resp)
	if merr != nil {
		return s.errResp(env.ID, perr("InternalError", "unencodable response: %v", merr)), op
	}
	return data, op
}

func (s *supervisor) errResp(id interface{}, err error) []byte {
	data, _ := json.Marshal(map[string]interface{}{"id": id, "ok": false, "error": errorBody(err)})
	return data
}

func (s *supervisor) hello() map[string]interface{} {
	compilerVersion := "missing"
	if out, err := exec.Command(s.b.compiler, "--version").Output(); err == nil {
		f := strings.Fields(string(out))
		if len(f) > 0 {
			compilerVersion = f[len(f)-1]
		}
	}
	goVersion := "unknown"
	if out, err := exec.Command(s.b.goBin, "env", "GOVERSION").Output(); err == nil {
		goVersion = strings.TrimSpace(string(out))
	}
	return map[string]interface{}{
		"name": s.name, "version": s.version, "library": "Apache Thrift (Go)", "compiler": compilerVersion,
		"go": goVersion, "abilities": s.abilities,
		"startupMs": float64(time.Since(started).Microseconds()) / 1000,
	}
}

type idlReq struct {
	Files map[string]interface{} `json:"files"`
	Entry interface{}            `json:"entry"`
}

// checkIdl validates files/entry like the Python peers (peerkit.write_idl_files).
func checkIdl(op string, r idlReq, present bool) (map[string]string, string, error) {
	if r.Files == nil {
		return nil, "", perr("BadRequest", "%s: missing parameter 'files'", op)
	}
	entry, ok := r.Entry.(string)
	if !ok {
		return nil, "", perr("BadRequest", "%s: missing parameter 'entry'", op)
	}
	if len(r.Files) == 0 || len(r.Files) > MaxIdlFiles {
		return nil, "", perr("BadRequest", "load_idl: files must hold 1..%d entries", MaxIdlFiles)
	}
	if _, ok := r.Files[entry]; !ok {
		return nil, "", perr("BadRequest", "load_idl: entry %q is not one of the files", entry)
	}
	files := map[string]string{}
	for rel, t := range r.Files {
		text, ok := t.(string)
		if !ok {
			return nil, "", perr("BadRequest", "load_idl: the source of %q is not a string", rel)
		}
		norm := filepath.Clean(rel)
		if rel == "" || strings.ContainsRune(rel, 0) || filepath.IsAbs(rel) || norm == ".." || strings.HasPrefix(norm, "../") {
			return nil, "", perr("BadRequest", "load_idl: bad relative path %q", rel)
		}
		files[filepath.ToSlash(norm)] = text
	}
	if err := checkIncludes(files, entry); err != nil {
		return nil, "", err
	}
	return files, filepath.ToSlash(filepath.Clean(entry)), nil
}

func (s *supervisor) loadIdl(raw []byte) (map[string]interface{}, error) {
	var r idlReq
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, perr("BadRequest", "load_idl: %v", err)
	}
	files, entry, err := checkIdl("load_idl", r, true)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	hash := schemaHash(s.b.envHash, files, entry)
	st := s.b.Get(hash, files, entry)
	s.stats.loads++
	s.stats.loadTime += time.Since(t0)
	if st.err != nil {
		return nil, perr("Unsupported", "%v", st.err)
	}
	if st.idlErr != "" {
		return nil, perr("IdlError", "%s", st.idlErr)
	}
	if st.bin == "" || st.answer == nil {
		return nil, perr("IdlError", "the schema was not built")
	}
	handle := fmt.Sprintf("m%d", len(s.modules)+1)
	s.modules[handle] = &module{handle: handle, hash: hash, bin: st.bin}
	logf("load_idl %s: schema %s in %.3fs", handle, hash, time.Since(t0).Seconds())
	return map[string]interface{}{"module": handle, "types": st.answer.Types, "services": st.answer.Services}, nil
}

func (s *supervisor) prepare(raw []byte) (map[string]interface{}, error) {
	var r struct {
		Schemas []idlReq `json:"schemas"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Schemas == nil {
		return nil, perr("BadRequest", "prepare: missing parameter 'schemas'")
	}
	var list []*schemaState
	for _, sc := range r.Schemas {
		files, entry, err := checkIdl("prepare", sc, true)
		if err != nil {
			continue // load_idl will say what is wrong
		}
		list = append(list, &schemaState{hash: schemaHash(s.b.envHash, files, entry), files: files, entry: entry})
	}
	n := s.b.Prepare(list)
	s.stats.prepared += n
	return map[string]interface{}{"accepted": len(r.Schemas), "building": n}, nil
}

// workerFor returns the running worker of a module (started, with the module bound).
func (s *supervisor) workerFor(m *module) (*worker, error) {
	w := s.workers[m.bin]
	if w == nil || !w.alive {
		s.evict()
		w = &worker{bin: m.bin}
		if err := w.start(); err != nil {
			return nil, perr("InternalError", "cannot start the worker %s: %v", filepath.Base(m.bin), err)
		}
		s.workers[m.bin] = w
	}
	if !w.bound[m.handle] {
		req, _ := json.Marshal(map[string]interface{}{"op": "bind", "module": m.handle, "schema": m.hash})
		resp, err := w.roundtrip(req)
		if err != nil {
			return nil, perr("InternalError", "worker: %v", err)
		}
		var r struct {
			OK    bool                   `json:"ok"`
			Error map[string]interface{} `json:"error"`
		}
		json.Unmarshal(resp, &r)
		if !r.OK {
			return nil, perr("InternalError", "worker refused module %s: %v", m.handle, r.Error)
		}
		w.bound[m.handle] = true
	}
	return w, nil
}

// evict stops the least recently used idle workers while too many run.
func (s *supervisor) evict() {
	for {
		var live []*worker
		for _, w := range s.workers {
			if w.alive {
				live = append(live, w)
			}
		}
		if len(live) < MaxLiveWorkers {
			return
		}
		var victim *worker
		for _, w := range live {
			if len(w.servers) == 0 && (victim == nil || w.lastUse.Before(victim.lastUse)) {
				victim = w
			}
		}
		if victim == nil {
			return
		}
		s.collectLog(victim, true)
		victim.stop()
	}
}

func (s *supervisor) collectLog(w *worker, clear bool) []interface{} {
	req, _ := json.Marshal(map[string]interface{}{"op": "oneway_log", "clear": clear})
	resp, err := w.roundtrip(req)
	if err != nil {
		return nil
	}
	var r struct {
		Calls []interface{} `json:"calls"`
	}
	json.Unmarshal(resp, &r)
	if clear {
		s.savedLogs = append(s.savedLogs, r.Calls...)
		return nil
	}
	return r.Calls
}

func (s *supervisor) moduleOf(id interface{}, mod interface{}) (*module, error) {
	if mod == nil {
		return nil, perr("BadRequest", "missing parameter 'module'")
	}
	name, ok := mod.(string)
	if !ok {
		return nil, perr("BadRequest", "parameter 'module' has the wrong type")
	}
	m := s.modules[name]
	if m == nil {
		return nil, perr("UnknownModule", "no module %q; load_idl first", name)
	}
	return m, nil
}

func (s *supervisor) forward(raw []byte, env envelope, op string) []byte {
	m, err := s.moduleOf(env.ID, env.Module)
	if err != nil {
		if pe, ok := err.(*peerError); ok && pe.typ == "BadRequest" {
			pe.msg = op + ": " + pe.msg
		}
		return s.errResp(env.ID, err)
	}
	w, err := s.workerFor(m)
	if err != nil {
		return s.errResp(env.ID, err)
	}
	resp, err := w.roundtrip(raw)
	if err != nil {
		return s.errResp(env.ID, perr("InternalError", "worker: %v", err))
	}
	if op == "serve" {
		var r struct {
			OK   bool `json:"ok"`
			Port int  `json:"port"`
		}
		if json.Unmarshal(resp, &r) == nil && r.OK {
			w.servers[r.Port] = true
			s.ports[r.Port] = w
		}
	}
	return resp
}

func (s *supervisor) batch(raw []byte, env envelope) []byte {
	var reqs []json.RawMessage
	if env.Requests == nil || json.Unmarshal(env.Requests, &reqs) != nil || reqs == nil {
		return s.errResp(env.ID, perr("BadRequest", "batch: missing parameter 'requests'"))
	}
	// one worker for every sub-request: forward the whole batch
	var target *worker
	same := true
	for _, sub := range reqs {
		var se envelope
		if json.Unmarshal(sub, &se) != nil {
			same = false
			break
		}
		op, _ := se.Op.(string)
		if op != "encode" && op != "roundtrip" {
			same = false
			break
		}
		m, err := s.moduleOf(nil, se.Module)
		if err != nil {
			same = false
			break
		}
		w, err := s.workerFor(m)
		if err != nil || (target != nil && w != target) {
			same = false
			break
		}
		target = w
	}
	if same && target != nil {
		resp, err := target.roundtrip(raw)
		if err != nil {
			return s.errResp(env.ID, perr("InternalError", "worker: %v", err))
		}
		return resp
	}
	out := make([]interface{}, 0, len(reqs))
	for _, sub := range reqs {
		var se envelope
		if err := json.Unmarshal(sub, &se); err != nil {
			out = append(out, map[string]interface{}{"ok": false, "error": errorBody(perr("BadRequest", "a request must be a JSON object"))})
			continue
		}
		op, _ := se.Op.(string)
		var data []byte
		if op == "batch" {
			data = s.errResp(nil, perr("BadRequest", "batches do not nest"))
		} else {
			se.ID = nil
			data, _ = s.handle(stripID(sub))
		}
		var r map[string]interface{}
		json.Unmarshal(data, &r)
		delete(r, "id")
		out = append(out, r)
	}
	data, _ := json.Marshal(map[string]interface{}{"id": env.ID, "ok": true, "responses": out})
	return data
}

func stripID(sub json.RawMessage) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(sub, &m) != nil {
		return sub
	}
	delete(m, "id")
	data, _ := json.Marshal(m)
	return data
}

// portParam is the `port` parameter of an op about one server.
func portParam(env envelope, op string) (int, error) {
	switch p := env.Port.(type) {
	case float64:
		return int(p), nil
	case nil:
		return 0, perr("BadRequest", "%s: missing parameter 'port'", op)
	default:
		return 0, perr("BadRequest", "%s: parameter 'port' has the wrong type", op)
	}
}

func (s *supervisor) stopServer(raw []byte, env envelope) []byte {
	w, port, errResp := s.serverOf(env, "stop")
	if errResp != nil {
		return errResp
	}
	resp, err := w.roundtrip(raw)
	if err != nil {
		return s.errResp(env.ID, perr("InternalError", "worker: %v", err))
	}
	delete(s.ports, port)
	delete(w.servers, port)
	return resp
}

// toServer forwards an op about one server (answer, received) to the worker that runs it.
func (s *supervisor) toServer(raw []byte, env envelope, op string) []byte {
	w, _, errResp := s.serverOf(env, op)
	if errResp != nil {
		return errResp
	}
	resp, err := w.roundtrip(raw)
	if err != nil {
		return s.errResp(env.ID, perr("InternalError", "worker: %v", err))
	}
	return resp
}

// serverOf is the worker running the server on the op's `port`, or the error response to send.
func (s *supervisor) serverOf(env envelope, op string) (*worker, int, []byte) {
	port, err := portParam(env, op)
	if err != nil {
		return nil, 0, s.errResp(env.ID, err)
	}
	w := s.ports[port]
	if w == nil || !w.alive {
		return nil, 0, s.errResp(env.ID, perr("BadRequest", "no server on port %d; `serve` first and use the port it answers", port))
	}
	return w, port, nil
}

func (s *supervisor) onewayLog(raw []byte) (map[string]interface{}, error) {
	var r struct {
		Clear interface{} `json:"clear"`
	}
	json.Unmarshal(raw, &r)
	clear := false
	if r.Clear != nil {
		b, ok := r.Clear.(bool)
		if !ok {
			return nil, perr("BadRequest", "oneway_log: parameter 'clear' has the wrong type")
		}
		clear = b
	}
	calls := append([]interface{}{}, s.savedLogs...)
	if clear {
		s.savedLogs = nil
	}
	for _, w := range s.workers {
		if w.alive {
			calls = append(calls, s.collectLog(w, false)...)
			if clear {
				req, _ := json.Marshal(map[string]interface{}{"op": "oneway_log", "clear": true})
				w.roundtrip(req)
			}
		}
	}
	timeOf := func(c interface{}) float64 {
		if m, ok := c.(map[string]interface{}); ok {
			if t, ok := m["time"].(float64); ok {
				return t
			}
		}
		return 0
	}
	sort.SliceStable(calls, func(i, j int) bool { return timeOf(calls[i]) < timeOf(calls[j]) })
	return map[string]interface{}{"calls": calls}, nil
}

func (s *supervisor) shutdown() {
	for _, w := range s.workers {
		w.stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	logf("loads %d, prepared %d, load_idl time %.2fs, %d builds", s.stats.loads, s.stats.prepared, s.stats.loadTime.Seconds(), len(s.b.timings))
}

// ---- start ----

func findGo() string {
	if g := os.Getenv("APACHE_GO_GO"); g != "" {
		return g
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, c := range []string{"/usr/local/go/bin/go", "/usr/lib/go/bin/go"} {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return "go"
}

// envHash covers what the generated worker depends on besides the IDL.
func envHash(mod, goBin, compiler string) string {
	h := sha256.New()
	fmt.Fprintln(h, GenVersion, os.Getenv("APACHE_GO_CACHE_SALT")) // the salt: for measuring cold builds
	if exe, err := os.Executable(); err == nil {                   // the generator itself
		data, _ := os.ReadFile(exe)
		h.Write(data)
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		data, _ := os.ReadFile(filepath.Join(mod, f))
		h.Write(data)
	}
	rtFiles, _ := filepath.Glob(filepath.Join(mod, "rt", "*.go"))
	sort.Strings(rtFiles)
	for _, f := range rtFiles {
		data, _ := os.ReadFile(f)
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(data))
		h.Write(data)
	}
	if out, err := exec.Command(goBin, "env", "GOVERSION").Output(); err == nil {
		h.Write(out)
	}
	if out, err := exec.Command(compiler, "--version").Output(); err == nil {
		h.Write(out)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func main() {
	state := flag.String("state", "", "the state dir (build module, caches, worker binaries)")
	manifestPath := flag.String("manifest", "", "the peer's manifest (peer.json)")
	flag.Parse()
	if *state == "" || *manifestPath == "" {
		fmt.Fprintln(os.Stderr, "usage: peer -state DIR -manifest peer.json")
		os.Exit(2)
	}
	var manifest map[string]interface{}
	data, err := os.ReadFile(*manifestPath)
	if err == nil {
		err = json.Unmarshal(data, &manifest)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot read the manifest %s: %v\n", *manifestPath, err)
		os.Exit(2)
	}
	var raw struct {
		Abilities json.RawMessage `json:"abilities"`
	}
	json.Unmarshal(data, &raw)
	name, _ := manifest["name"].(string)
	if env := os.Getenv("THRIFT_CONFORM_PEER"); env != "" {
		name = env
	}
	version := "unknown"
	if lib, ok := manifest["library"].(map[string]interface{}); ok {
		version, _ = lib["version"].(string)
	}
	work, err := os.MkdirTemp("", "apache-go-peer-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(work)
	compiler := os.Getenv("THRIFT_COMPILER")
	if compiler == "" {
		compiler = "thrift"
	}
	goBin := findGo()
	mod := filepath.Join(*state, "mod")
	eh := envHash(mod, goBin, compiler)
	s := &supervisor{name: name, manifest: manifest, abilities: raw.Abilities, version: version, b: newBuilder(*state, goBin, compiler, eh, work),
		modules: map[string]*module{}, workers: map[string]*worker{}, ports: map[int]*worker{}}
	logf("%s: Apache Thrift %s (Go), state %s, env %s; pid %d", name, version, *state, eh, os.Getpid())
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	for {
		raw, err := readMessage(in)
		if err == io.EOF {
			logf("stdin closed; exiting")
			break
		}
		var resp []byte
		var op string
		if tl, ok := err.(tooLong); ok {
			logf("%s", tl.msg)
			out.Write(frame(s.errResp(nil, tl.peerError)))
			out.Flush()
			s.shutdown()
			os.RemoveAll(work)
			os.Exit(exitDesynced)
		}
		if err != nil {
			resp = s.errResp(nil, err)
		} else {
			resp, op = s.handle(raw)
		}
		if len(resp) > MaxControlMessageBytes {
			resp = s.errResp(nil, perr("InternalError", "response too large"))
		}
		if _, err := out.Write(frame(resp)); err != nil {
			break
		}
		if err := out.Flush(); err != nil {
			break
		}
		if op == "shutdown" {
			break
		}
	}
	s.shutdown()
	os.RemoveAll(work)
}
