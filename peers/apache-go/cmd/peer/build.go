package main

// Schemas are generated once and compiled into worker binaries, cached under the state dir by
// a hash of (IDL files, entry, compiler and library version, runtime sources): a schema built
// once is never built again, also across runs. `prepare` builds many schemas in one `go build`.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildTimeout is the longest one `go build` may take.
const BuildTimeout = 10 * time.Minute

// BatchSize is the most schemas prepare puts into one `go build`.
const BatchSize = 20

// ModPrefix is the module path of the build module in the state dir.
const ModPrefix = "tcw"

// schemaState is what is known of one schema (by hash).
type schemaState struct {
	hash    string
	files   map[string]string
	entry   string
	done    chan struct{} // closed when generated and built (or failed)
	answer  *Answer
	bin     string // worker binary (absolute path)
	idlErr  string // IdlError message
	err     error  // unexpected failure
	pending bool
}

// record is the cached result of a schema in <schema dir>/result.json.
type record struct {
	Answer *Answer `json:"answer,omitempty"`
	IdlErr string  `json:"idlError,omitempty"`
	Bin    string  `json:"bin,omitempty"` // binary name under wbin/
	Built  bool    `json:"built"`
}

type builder struct {
	state    string // the state dir
	mod      string // the build module
	goBin    string
	compiler string
	envHash  string
	work     string // private temp dir
	mu       sync.Mutex
	schemas  map[string]*schemaState
	queue    chan []*schemaState
	genCount int
	timings  []string
}

func newBuilder(state, goBin, compiler, envHash, work string) *builder {
	b := &builder{state: state, mod: filepath.Join(state, "mod"), goBin: goBin, compiler: compiler, envHash: envHash,
		work: work, schemas: map[string]*schemaState{}, queue: make(chan []*schemaState, 1000)}
	go b.loop()
	go pruneBins(filepath.Join(state, "wbin"), MaxBinBytes)
	return b
}

// MaxBinBytes bounds the worker binaries kept in the state dir; beyond it the least recently
// used ones are removed at start (their schemas are built again when needed).
const MaxBinBytes = 4 << 30

func pruneBins(dir string, max int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type bin struct {
		path string
		size int64
		mod  time.Time
	}
	var bins []bin
	var total int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			bins = append(bins, bin{filepath.Join(dir, e.Name()), info.Size(), info.ModTime()})
			total += info.Size()
		}
	}
	if total <= max {
		return
	}
	sort.Slice(bins, func(i, j int) bool { return bins[i].mod.Before(bins[j].mod) })
	for _, b := range bins {
		if total <= max/2 {
			break
		}
		os.Remove(b.path)
		total -= b.size
	}
}

func schemaHash(envHash string, files map[string]string, entry string) string {
	h := sha256.New()
	fmt.Fprintf(h, "env %s\nentry %q\n", envHash, entry)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "file %q %d\n%s\n", n, len(files[n]), files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

func (b *builder) schemaDir(hash string) string { return filepath.Join(b.mod, "s", hash) }

// loadRecord returns the cached result of a schema, if any (and its binary still exists).
func (b *builder) loadRecord(hash string) *record {
	data, err := os.ReadFile(filepath.Join(b.schemaDir(hash), "result.json"))
	if err != nil {
		return nil
	}
	var r record
	if json.Unmarshal(data, &r) != nil {
		return nil
	}
	if r.IdlErr != "" {
		return &r
	}
	if !r.Built || r.Bin == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(b.state, "wbin", r.Bin)); err != nil {
		return nil
	}
	return &r
}

func (b *builder) saveRecord(hash string, r *record) {
	data, _ := json.Marshal(r)
	tmp := filepath.Join(b.schemaDir(hash), "result.json.tmp")
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, filepath.Join(b.schemaDir(hash), "result.json"))
	}
}

// lookup returns the state of a schema, from memory or from the cache (nil if unknown).
func (b *builder) lookupLocked(hash string) *schemaState {
	if s := b.schemas[hash]; s != nil {
		return s
	}
	if r := b.loadRecord(hash); r != nil {
		s := &schemaState{hash: hash, done: make(chan struct{}), answer: r.Answer, idlErr: r.IdlErr}
		if r.Bin != "" {
			s.bin = filepath.Join(b.state, "wbin", r.Bin)
		}
		close(s.done)
		b.schemas[hash] = s
		return s
	}
	return nil
}

// Prepare queues schemas to be built in the background; returns how many were new.
func (b *builder) Prepare(list []*schemaState) int {
	b.mu.Lock()
	var batch []*schemaState
	n := 0
	for _, s := range list {
		if b.lookupLocked(s.hash) != nil {
			continue
		}
		s.done = make(chan struct{})
		s.pending = true
		b.schemas[s.hash] = s
		batch = append(batch, s)
		n++
		if len(batch) == BatchSize {
			b.queue <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		b.queue <- batch
	}
	b.mu.Unlock()
	return n
}

func (b *builder) loop() {
	for batch := range b.queue {
		b.buildBatch(batch)
	}
}

// Get returns a schema's state, building it now (alone) when it was not prepared.
func (b *builder) Get(hash string, files map[string]string, entry string) *schemaState {
	b.mu.Lock()
	s := b.lookupLocked(hash)
	if s == nil {
		s = &schemaState{hash: hash, files: files, entry: entry, done: make(chan struct{})}
		b.schemas[hash] = s
		b.mu.Unlock()
		b.buildBatch([]*schemaState{s})
		return s
	}
	b.mu.Unlock()
	<-s.done
	return s
}

func (b *builder) generate(s *schemaState) bool {
	b.mu.Lock()
	b.genCount++
	work := filepath.Join(b.work, fmt.Sprintf("idl%d", b.genCount))
	b.mu.Unlock()
	defer os.RemoveAll(work)
	ans, _, idlErr, err := GenSchema(b.compiler, s.hash, b.schemaDir(s.hash), ModPrefix+"/s/"+s.hash+"/", s.files, s.entry, work)
	if err != nil {
		s.err = err
		return false
	}
	if idlErr != "" {
		s.idlErr = idlErr
		b.saveRecord(s.hash, &record{IdlErr: idlErr})
		return false
	}
	s.answer = ans
	return true
}

var pkgErrRe = regexp.MustCompile(`(?m)^# ` + ModPrefix + `/s/([0-9a-f]+)/`)

// buildBatch generates the schemas of a batch and builds them into one worker binary; schemas
// whose Go does not compile are taken out (with their compiler output) and the rest built again.
func (b *builder) buildBatch(batch []*schemaState) {
	t0 := time.Now()
	// Other peer processes may share the state dir (two runs at once, or apache-go in two
	// harnesses): generating a schema removes and rewrites its folder, so one process at a time
	// builds, and a schema another process built meanwhile is taken from its record.
	unlock := b.lockState()
	defer unlock()
	var ok []*schemaState
	for _, s := range batch {
		if r := b.loadRecord(s.hash); r != nil {
			s.answer, s.idlErr = r.Answer, r.IdlErr
			if r.Bin != "" {
				s.bin = filepath.Join(b.state, "wbin", r.Bin)
			}
			continue
		}
		if b.generate(s) {
			ok = append(ok, s)
		}
	}
	tgen := time.Since(t0)
	for attempt := 0; len(ok) > 0 && attempt < 4; attempt++ {
		bin, out, err := b.goBuild(ok)
		if err == nil {
			for _, s := range ok {
				s.bin = filepath.Join(b.state, "wbin", bin)
				b.saveRecord(s.hash, &record{Answer: s.answer, Bin: bin, Built: true})
			}
			ok = nil
			break
		}
		failed := map[string]bool{}
		for _, m := range pkgErrRe.FindAllStringSubmatch(out, -1) {
			failed[m[1]] = true
		}
		var rest []*schemaState
		for _, s := range ok {
			if failed[s.hash] || len(ok) == 1 {
				s.idlErr = compileError(out, s.hash)
				b.saveRecord(s.hash, &record{IdlErr: s.idlErr})
			} else {
				rest = append(rest, s)
			}
		}
		if len(rest) == len(ok) { // nothing attributed: build one by one
			for _, s := range ok {
				b.buildBatch1(s)
			}
			rest = nil
		}
		ok = rest
	}
	for _, s := range ok {
		b.buildBatch1(s)
	}
	b.mu.Lock()
	for _, s := range batch {
		s.pending = false
		s.files = nil
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
	b.timings = append(b.timings, fmt.Sprintf("%d schemas: generate %.2fs, total %.2fs", len(batch), tgen.Seconds(), time.Since(t0).Seconds()))
	b.mu.Unlock()
	logf("built %d schema(s) in %.2fs (generate %.2fs)", len(batch), time.Since(t0).Seconds(), tgen.Seconds())
}

// lockState takes the state dir's build lock (an flock, so it is let go when the process ends)
// and returns the function that lets it go.
func (b *builder) lockState() func() {
	f, err := os.OpenFile(filepath.Join(b.state, "build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		logf("build lock: %v (building without it)", err)
		return func() {}
	}
	t0 := time.Now()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		logf("build lock: %v (building without it)", err)
	} else if d := time.Since(t0); d > 100*time.Millisecond {
		logf("waited %.2fs for the build lock", d.Seconds())
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

func (b *builder) buildBatch1(s *schemaState) {
	bin, out, err := b.goBuild([]*schemaState{s})
	if err == nil {
		s.bin = filepath.Join(b.state, "wbin", bin)
		b.saveRecord(s.hash, &record{Answer: s.answer, Bin: bin, Built: true})
		return
	}
	s.idlErr = compileError(out, s.hash)
	b.saveRecord(s.hash, &record{IdlErr: s.idlErr})
}

// compileError is the IdlError message of a schema whose generated Go does not compile: the Go
// compiler's errors, each as `<message> (<file:line:col>)`, with the Go expressions, types and
// names of the message in backquotes, so that the first words (the harness's fingerprint) say
// what kind of error it is and not which schema names it involves.
func compileError(out, hash string) string {
	lines := strings.Split(cleanBuildOutput(out, hash), "; ")
	for i, l := range lines {
		if m := goErrLineRe.FindStringSubmatch(l); m != nil {
			lines[i] = quoteGoNames(m[2]) + " (" + m[1] + ")"
		}
	}
	return "the generated Go does not compile: " + strings.Join(lines, "; ")
}

var goErrLineRe = regexp.MustCompile(`^(\S+\.go:\d+(?::\d+)?): (.*)$`)

// quoteGoNames puts backquotes around the words of a Go compiler message that are code: words
// with anything but lowercase letters (&A{}, *T, p.Read, map[K]V, Kaag3kt), and the lowercase
// names in the places the compiler's messages put an expression ("cannot use x (variable of
// type T)", "p redeclared in this block").
func quoteGoNames(msg string) string {
	words := strings.Split(msg, " ")
	for i, w := range words {
		core := strings.TrimLeft(w, "(")
		lead := w[:len(w)-len(core)]
		trimmed := core
		for len(trimmed) > 0 {
			c := trimmed[len(trimmed)-1]
			if c == ',' || c == ';' || c == ':' ||
				(c == ')' && strings.Count(trimmed, ")") > strings.Count(trimmed, "(")) {
				trimmed = trimmed[:len(trimmed)-1]
				continue
			}
			break
		}
		trail := core[len(trimmed):]
		core = trimmed
		if core == "" || strings.Contains(core, "`") {
			continue
		}
		code := strings.IndexFunc(core, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0
		if !code && lead == "" {
			prev := ""
			if i > 0 {
				prev = words[i-1]
			}
			next := ""
			if i+1 < len(words) {
				next = words[i+1]
			}
			switch {
			case prev == "use" || prev == "indirect" || prev == "case" || prev == "name":
				code = true
			case next == "redeclared" || next == "undefined" || next == "declared" ||
				strings.HasPrefix(next, "(value") || strings.HasPrefix(next, "(variable") ||
				strings.HasPrefix(next, "(constant"):
				code = true
			}
		}
		if code {
			words[i] = lead + "`" + core + "`" + trail
		}
	}
	return strings.Join(words, " ")
}

func cleanBuildOutput(out, hash string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		if strings.Contains(l, "s/"+hash+"/") || (len(lines) > 0 && strings.HasPrefix(l, "\t")) {
			l = strings.ReplaceAll(l, ModPrefix+"/s/"+hash+"/", "")
			l = strings.ReplaceAll(l, "s/"+hash+"/", "")
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) == 0 {
		return strings.TrimSpace(out)
	}
	if len(lines) > 10 {
		lines = lines[:10]
	}
	return strings.Join(lines, "; ")
}

// goBuild compiles one worker binary with the registrations of the given schemas.
func (b *builder) goBuild(list []*schemaState) (string, string, error) {
	hashes := make([]string, 0, len(list))
	for _, s := range list {
		hashes = append(hashes, s.hash)
	}
	sort.Strings(hashes)
	h := sha256.Sum256([]byte(b.envHash + " " + strings.Join(hashes, " ")))
	name := "w" + hex.EncodeToString(h[:])[:20]
	binPath := filepath.Join(b.state, "wbin", name)
	if _, err := os.Stat(binPath); err == nil {
		return name, "", nil
	}
	dir := filepath.Join(b.mod, "w", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err.Error(), err
	}
	var src bytes.Buffer
	src.WriteString("// Code generated by the apache-go peer (one worker binary). DO NOT EDIT.\n\npackage main\n\nimport (\n\trt \"" + ModPrefix + "/rt\"\n")
	for _, hs := range hashes {
		fmt.Fprintf(&src, "\t_ \"%s/s/%s/%s\"\n", ModPrefix, hs, RegPkg)
	}
	src.WriteString(")\n\nfunc main() { rt.WorkerMain() }\n")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src.Bytes(), 0o644); err != nil {
		return "", err.Error(), err
	}
	os.MkdirAll(filepath.Join(b.state, "wbin"), 0o755)
	tmp := binPath + ".tmp"
	ctx, cancel := context.WithTimeout(context.Background(), BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.goBin, "build", "-o", tmp, "-ldflags=-s -w", "./w/"+name)
	cmd.Dir = b.mod
	cmd.Env = goEnv(b.state)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	logf("go build of %d schema(s): %.2fs%s", len(list), time.Since(t0).Seconds(), map[bool]string{true: " (failed)", false: ""}[err != nil])
	if err != nil {
		os.Remove(tmp)
		return "", out.String(), fmt.Errorf("go build: %v", err)
	}
	if err := os.Rename(tmp, binPath); err != nil {
		return "", err.Error(), err
	}
	return name, out.String(), nil
}

// goEnv is the environment of `go build`: no network, caches in the state dir.
func goEnv(state string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOFLAGS=") || strings.HasPrefix(kv, "GOCACHE=") || strings.HasPrefix(kv, "GOPROXY=") ||
			strings.HasPrefix(kv, "GO111MODULE=") || strings.HasPrefix(kv, "GOWORK=") {
			continue
		}
		env = append(env, kv)
	}
	if os.Getenv("HOME") == "" {
		env = append(env, "HOME="+state)
	}
	return append(env, "GOCACHE="+filepath.Join(state, "gocache"), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off",
		"GO111MODULE=on", "CGO_ENABLED=0")
}
