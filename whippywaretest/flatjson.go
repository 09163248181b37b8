package whippywaretest

import "encoding/json"

// readFlatObject reads the JSON bodies clients send, an object of plain keys and scalar
// values, without encoding/json's reflection: each value is the slice of body that holds it,
// as json.RawMessage would copy it out, and a repeated key keeps its last value, as
// json.Unmarshal into a map does. It accepts only valid JSON: keys of printable ASCII without
// escapes; strings without escapes or control characters; integers; true, false and null.
// Anything else (escapes, fractions, nested values, malformed input) answers false, and
// readData takes encoding/json's way, which decides what it means and what error to give.
func readFlatObject(body []byte) (map[string]json.RawMessage, bool) {
	p := flatParser{b: body}
	p.space()
	if !p.take('{') {
		return nil, false
	}
	obj := make(map[string]json.RawMessage, 12)
	p.space()
	if p.take('}') {
		return obj, p.end()
	}
	for {
		p.space()
		key, ok := p.key()
		if !ok {
			return nil, false
		}
		p.space()
		if !p.take(':') {
			return nil, false
		}
		p.space()
		value, ok := p.value()
		if !ok {
			return nil, false
		}
		obj[key] = value
		p.space()
		if p.take('}') {
			return obj, p.end()
		}
		if !p.take(',') {
			return nil, false
		}
	}
}

// fieldNames are the keys the fake reads, interned so that reading them allocates nothing.
var fieldNames = func() map[string]string {
	m := map[string]string{}
	for _, fields := range [][]fieldSpec{providers.fields, locations.fields, rules.fields, lists.fields,
		stocks.fields, loginFields} {
		for _, f := range fields {
			m[f.name] = f.name
		}
	}
	return m
}()

type flatParser struct {
	b []byte
	i int
}

func (p *flatParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *flatParser) take(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end tells whether only white space is left.
func (p *flatParser) end() bool {
	p.space()
	return p.i == len(p.b)
}

// str reads a string without escapes or control characters, returning its content.
func (p *flatParser) str() ([]byte, bool) {
	if !p.take('"') {
		return nil, false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], true
		case c < 0x20 || c == '\\':
			return nil, false
		}
	}
	return nil, false
}

func (p *flatParser) key() (string, bool) {
	k, ok := p.str()
	if !ok {
		return "", false
	}
	for _, c := range k {
		if c >= 0x7f {
			return "", false // encoding/json would replace invalid UTF-8 in a key
		}
	}
	if name, known := fieldNames[string(k)]; known {
		return name, true
	}
	return string(k), true
}

// value reads a string, an integer, true, false or null, returning its bytes.
func (p *flatParser) value() (json.RawMessage, bool) {
	start := p.i
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		if _, ok := p.str(); !ok {
			return nil, false
		}
	case c == '-' || (c >= '0' && c <= '9'):
		if !p.integer() {
			return nil, false
		}
	case !p.literal("true") && !p.literal("false") && !p.literal("null"):
		return nil, false
	}
	return json.RawMessage(p.b[start:p.i:p.i]), true
}

// integer reads -?(0|[1-9][0-9]*) not followed by a fraction or an exponent.
func (p *flatParser) integer() bool {
	p.take('-')
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	digits := p.i - start
	if digits == 0 || (digits > 1 && p.b[start] == '0') {
		return false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return false
		}
	}
	return true
}

func (p *flatParser) literal(word string) bool {
	if len(p.b)-p.i >= len(word) && string(p.b[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return true
	}
	return false
}
