package whippywaretest

import (
	"encoding/json"

	"github.com/whippyware-go/whippyware/internal/jsonread"
)

// readFlatObject reads the JSON bodies clients send, an object of plain keys and scalar
// values, without encoding/json's reflection: each value is the slice of body that holds it,
// as json.RawMessage would copy it out, and a repeated key keeps its last value, as
// json.Unmarshal into a map does. It accepts only valid JSON: keys and strings without
// escapes or control characters, in valid UTF-8; integers; true, false and null. Anything else (escapes, fractions, nested values, malformed input) answers
// false, and readData takes encoding/json's way, which decides what it means and what error
// to give.
func readFlatObject(body []byte) (map[string]json.RawMessage, bool) {
	r := jsonread.New(body)
	if !r.Consume('{') {
		return nil, false
	}
	obj := make(map[string]json.RawMessage, 12)
	if r.Consume('}') {
		return obj, r.End()
	}
	for {
		key, ok := flatKey(&r)
		if !ok || !r.Consume(':') {
			return nil, false
		}
		value, ok := flatValue(&r)
		if !ok {
			return nil, false
		}
		obj[key] = value
		if r.Consume('}') {
			return obj, r.End()
		}
		if !r.Consume(',') {
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

// flatKey reads a key, interned when it is one the fake reads. Keys go into a map,
// where encoding/json keeps them as they are written, so any plain string will do.
func flatKey(r *jsonread.Reader) (string, bool) {
	k, ok := r.Text()
	if !ok {
		return "", false
	}
	if name, known := fieldNames[string(k)]; known {
		return name, true
	}
	return string(k), true
}

// flatValue reads a string, an integer, true, false or null, returning its bytes.
func flatValue(r *jsonread.Reader) (json.RawMessage, bool) {
	start := r.Pos()
	var ok bool
	switch c := r.Peek(); {
	case c == '"':
		_, ok = r.RawString()
	case c == '-' || (c >= '0' && c <= '9'):
		var number []byte
		number, ok = r.RawNumber()
		ok = ok && jsonread.IsInteger(number)
	default:
		ok = r.Literal("true") || r.Literal("false") || r.Literal("null")
	}
	if !ok {
		return nil, false
	}
	return json.RawMessage(r.Since(start)), true
}
