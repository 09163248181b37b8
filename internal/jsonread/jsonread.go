// Package jsonread reads JSON without encoding/json's reflection, for this module's
// two hot readers: the SDK's decoder of the service's answers and the fake's reader
// of request bodies. Each reading takes only what encoding/json would read the same
// way and reports false otherwise; the callers then give up on the whole document and
// decode it with encoding/json, which decides what it means and what error to give.
package jsonread

import (
	"bytes"
	"unicode/utf8"
)

// Reader reads one JSON document from its bytes, from the start.
type Reader struct {
	b []byte
	i int
}

// New returns a Reader of b.
func New(b []byte) Reader { return Reader{b: b} }

// maxDepth bounds the nesting Skip follows; deeper values are refused, and
// encoding/json, which has a limit of its own, reads them.
const maxDepth = 100

// Space skips JSON whitespace.
func (r *Reader) Space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// Consume skips whitespace and then c, and reports whether c was there.
func (r *Reader) Consume(c byte) bool {
	r.Space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// Peek skips whitespace and returns the next byte, 0 at the end.
func (r *Reader) Peek() byte {
	r.Space()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// End reports whether nothing but whitespace is left.
func (r *Reader) End() bool {
	r.Space()
	return r.i == len(r.b)
}

// Literal consumes word (true, false, null) when it comes next, and reports
// whether it did.
func (r *Reader) Literal(word string) bool {
	if r.Peek() == word[0] && len(r.b)-r.i >= len(word) && string(r.b[r.i:r.i+len(word)]) == word {
		r.i += len(word)
		return true
	}
	return false
}

// RawString returns the next string as it is written, quotes included, when
// encoding/json would read its text byte for byte (PlainString).
func (r *Reader) RawString() ([]byte, bool) {
	if r.Peek() != '"' {
		return nil, false
	}
	start := r.i
	end := bytes.IndexByte(r.b[start+1:], '"')
	if end < 0 {
		return nil, false
	}
	raw := r.b[start : start+end+2]
	if _, ok := PlainString(raw); !ok {
		return nil, false
	}
	r.i = start + end + 2
	return raw, true
}

// Text returns the text of the next string (see RawString).
func (r *Reader) Text() ([]byte, bool) {
	raw, ok := r.RawString()
	if !ok {
		return nil, false
	}
	return raw[1 : len(raw)-1], true
}

// RawNumber returns the next number as it is written (IsNumber).
func (r *Reader) RawNumber() ([]byte, bool) {
	r.Space()
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if ('0' <= c && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			r.i++
			continue
		}
		break
	}
	raw := r.b[start:r.i]
	return raw, IsNumber(raw)
}

// Skip passes over the next value, any JSON, and reports whether encoding/json's
// scanner would find it valid: strings need valid escapes and no control character
// (other bytes pass, as they do there).
func (r *Reader) Skip() bool { return r.skip(0) }

func (r *Reader) skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch r.Peek() {
	case '{':
		r.i++
		if r.Consume('}') {
			return true
		}
		for {
			if r.Peek() != '"' || !r.skipString() || !r.Consume(':') || !r.skip(depth+1) {
				return false
			}
			if r.Consume('}') {
				return true
			}
			if !r.Consume(',') {
				return false
			}
		}
	case '[':
		r.i++
		if r.Consume(']') {
			return true
		}
		for {
			if !r.skip(depth + 1) {
				return false
			}
			if r.Consume(']') {
				return true
			}
			if !r.Consume(',') {
				return false
			}
		}
	case '"':
		return r.skipString()
	case 't':
		return r.Literal("true")
	case 'f':
		return r.Literal("false")
	case 'n':
		return r.Literal("null")
	}
	_, ok := r.RawNumber()
	return ok
}

// skipString passes over the string at r.i, escapes included.
func (r *Reader) skipString() bool {
	r.i++ // the opening quote
	for r.i < len(r.b) {
		c := r.b[r.i]
		r.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if r.i >= len(r.b) {
				return false
			}
			e := r.b[r.i]
			r.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(r.b)-r.i < 4 {
					return false
				}
				for _, h := range r.b[r.i : r.i+4] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				r.i += 4
			default:
				return false
			}
		}
	}
	return false
}

// Since returns what was read since position start (see Pos).
func (r *Reader) Since(start int) []byte { return r.b[start:r.i:r.i] }

// Pos returns the position of the next byte, whitespace skipped.
func (r *Reader) Pos() int {
	r.Space()
	return r.i
}

// PlainString returns the text of a JSON string that encoding/json would read
// byte for byte: quoted, with no escape, no control character and valid UTF-8.
func PlainString(data []byte) ([]byte, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return nil, false
	}
	text := data[1 : len(data)-1]
	ascii := true
	for _, c := range text {
		switch {
		case c < 0x20, c == '"', c == '\\':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return text, ascii || utf8.Valid(text)
}

// IsNumber reports whether data is one number as JSON writes it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func IsNumber(data []byte) bool {
	i := 0
	if i < len(data) && data[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i - start
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(data)
}

// IsInteger reports whether data is a number without fraction or exponent.
func IsInteger(data []byte) bool {
	return IsNumber(data) && !bytes.ContainsAny(data, ".eE")
}
