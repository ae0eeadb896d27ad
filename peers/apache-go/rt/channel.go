// Package rt is the generic runtime of the apache-go peer's worker processes: the control
// channel (length-prefixed JSON, peers/README.md), the JSON value encoding done by reflection on
// the structs that Apache Thrift's Go generator makes, the generic server handler, and the ops
// that use the real library (encode, roundtrip, serve, call).
package rt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// MaxControlMessageBytes is the largest control message accepted or sent (README: MAX_CONTROL_MESSAGE_BYTES).
const MaxControlMessageBytes = 256 * 1024 * 1024

// PeerError is an expected failure of an op, answered as ok:false with this type.
type PeerError struct {
	Type    string
	Message string
}

func (e *PeerError) Error() string { return e.Type + ": " + e.Message }

// Errf makes a PeerError.
func Errf(typ, format string, args ...interface{}) *PeerError {
	return &PeerError{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// ErrTooLong is returned by ReadMessage, at once, for a length prefix over the limit: the bytes
// that follow cannot be told apart from the next message, so the channel ends after answering.
var ErrTooLong = Errf("BadRequest", "control message exceeds the limit of %d bytes (MAX_CONTROL_MESSAGE_BYTES); the channel cannot find the next message", MaxControlMessageBytes)

// ReadMessage reads one framed message; io.EOF at a clean end of input.
func ReadMessage(r *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return nil, io.EOF
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxControlMessageBytes {
		return nil, ErrTooLong
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, io.EOF
	}
	return buf, nil
}

// Frame prefixes a payload with its length.
func Frame(payload []byte) []byte {
	out := make([]byte, 4+len(payload))
	binary.BigEndian.PutUint32(out, uint32(len(payload)))
	copy(out[4:], payload)
	return out
}

// Marshal encodes a response without HTML escaping.
func Marshal(v interface{}) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// ErrorBody is the `error` object of a failed response.
func ErrorBody(err error) map[string]interface{} {
	if pe, ok := err.(*PeerError); ok {
		return map[string]interface{}{"type": pe.Type, "message": pe.Message}
	}
	return map[string]interface{}{"type": fmt.Sprintf("%T", err), "message": err.Error()}
}

// ParseRequest decodes one request object (numbers kept exact).
func ParseRequest(raw []byte) (map[string]interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, Errf("BadRequest", "not JSON: %v", err)
	}
	if dec.More() {
		return nil, Errf("BadRequest", "not JSON: extra data after the object")
	}
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, Errf("BadRequest", "a request must be a JSON object")
	}
	return m, nil
}

// ---- request parameters ----

func opName(req map[string]interface{}) string {
	s, _ := req["op"].(string)
	return s
}

// StrParam returns a string parameter; def==nil means required.
func StrParam(req map[string]interface{}, name string, def *string) (string, error) {
	v, ok := req[name]
	if !ok || v == nil {
		if def == nil {
			return "", Errf("BadRequest", "%s: missing parameter '%s'", opName(req), name)
		}
		return *def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", Errf("BadRequest", "%s: parameter '%s' has the wrong type (%s)", opName(req), name, jsonKind(v))
	}
	return s, nil
}

// IntParam returns an integer parameter; def==nil means required.
func IntParam(req map[string]interface{}, name string, def *int64) (int64, error) {
	v, ok := req[name]
	if !ok || v == nil {
		if def == nil {
			return 0, Errf("BadRequest", "%s: missing parameter '%s'", opName(req), name)
		}
		return *def, nil
	}
	n, ok := v.(json.Number)
	if ok {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	}
	return 0, Errf("BadRequest", "%s: parameter '%s' has the wrong type (%s)", opName(req), name, jsonKind(v))
}

// BoolParam returns a boolean parameter (default when missing).
func BoolParam(req map[string]interface{}, name string, def bool) (bool, error) {
	v, ok := req[name]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, Errf("BadRequest", "%s: parameter '%s' has the wrong type (%s)", opName(req), name, jsonKind(v))
	}
	return b, nil
}

// ChoiceParam returns a string parameter that must be one of allowed.
func ChoiceParam(req map[string]interface{}, name string, allowed []string, def string) (string, error) {
	s, err := StrParam(req, name, &def)
	if err != nil {
		return "", err
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", Errf("BadRequest", "%s: %s must be one of %v, got '%s'", opName(req), name, allowed, s)
}

func jsonKind(v interface{}) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case json.Number:
		return "number"
	case string:
		return "str"
	case []interface{}:
		return "list"
	case map[string]interface{}:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
