package whippywaretest

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// The fast paths below skip encoding/json and strings.Fields for what clients usually send;
// these tests hold them to what the slow paths answer for the same input.

var rawValues = []string{`""`, `"abc"`, `" padded "`, `"İstanbul"`, `"a\"b"`, `"a\\b"`, `"\u0041"`, `"tab\t"`,
	"\"raw\ttab\"", "\"bad\xff\"", `"line\u2028"`, `"<&>"`, `0`, `-0`, `5`, `-17`, `123456789012345678`,
	`1234567890123456789`, `99999999999999999999`, `5.0`, `1e3`, `-`, `true`, `false`, `null`, `[]`, `{}`, `"5"`}

func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, raw := range rawValues {
		var want string
		wantOK := json.Unmarshal([]byte(raw), &want) == nil
		got, ok := jsonString(json.RawMessage(raw))
		if got != want || ok != wantOK {
			t.Errorf("jsonString(%s) = %q, %v; encoding/json: %q, %v", raw, got, ok, want, wantOK)
		}
	}
}

func TestJSONIntMatchesParseInt(t *testing.T) {
	for _, raw := range rawValues {
		n, ok := jsonInt(json.RawMessage(raw))
		if !ok {
			continue // the callers take the long way: nothing to compare
		}
		want, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n != want || !json.Valid([]byte(raw)) {
			t.Errorf("jsonInt(%s) = %d; strconv: %d, %v", raw, n, want, err)
		}
	}
	if _, ok := jsonInt(json.RawMessage(`123456789012345678`)); !ok {
		t.Error("an 18-digit integer should take the fast path")
	}
}

func TestParseBoolReadsJSONBooleans(t *testing.T) {
	for _, raw := range rawValues {
		var want bool
		if json.Unmarshal([]byte(raw), &want) != nil {
			continue // not a JSON boolean: DRF's words, tested by the conformance table
		}
		if got, ok := parseBool(json.RawMessage(raw)); got != want || !ok {
			t.Errorf("parseBool(%s) = %v, %v; want %v, true", raw, got, ok, want)
		}
	}
}

func TestAuthFieldsMatchesStringsFields(t *testing.T) {
	for _, h := range []string{"", " ", "Token", "Token ", " Token abc", "Token abc", "Token  abc", "Token\tabc",
		"Token abc def", "token abc", "Token abc\x00", "Token a\u00a0b", "Token \u0085abc", "Bearer x", "Token abc "} {
		want := strings.Fields(h)
		scheme, key, n := authFields(h)
		if n != len(want) || (n > 0 && scheme != want[0]) || (n > 1 && key != want[1]) {
			t.Errorf("authFields(%q) = %q, %q, %d; strings.Fields: %q", h, scheme, key, n, want)
		}
	}
}

// TestReadFlatObjectMatchesEncodingJSON holds the flat reader to json.Unmarshal into a map
// of raw values: whatever it accepts, it reads as encoding/json does.
func TestReadFlatObjectMatchesEncodingJSON(t *testing.T) {
	bodies := []string{`{}`, ` { } `, `{"sku":"A","stock":5,"is_active":true,"period":null}`,
		"{\n\t\"sku\" : \"A\" ,\r\n \"stock\":-12 }\n", `{"a":1,"a":2}`, `{"unknown_key":"İ"}`,
		`{"x":false}`, `{"x":0}`, `{"ké":1,"ſku":2}`, // accepted above; the rest must fall back to encoding/json
		"{\"sku\":\"bad\xff\"}", `{"sku":"a\"b"}`, `{"k\u0041":1}`, `{"x":1.5}`, `{"x":1e3}`, `{"x":01}`, `{"x":-}`, `{"x":[1]}`, `{"x":{}}`,
		`{"x":tru}`, `{"x":truex}`, `{"x":1}x`, `{"x":1,}`, `{,}`, `{"x"}`, `[]`, `null`, `"s"`, ``, `{"x":1`,
		"{\"tab\t\":1}", "{\"x\":\"raw\ttab\"}", "\ufeff{}"}
	accepted := 0
	for _, body := range bodies {
		got, ok := readFlatObject([]byte(body))
		if !ok {
			continue
		}
		accepted++
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Errorf("%q: accepted, but encoding/json refuses it: %v", body, err)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d keys, encoding/json %d", body, len(got), len(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Errorf("%q: %s = %s, encoding/json %s", body, k, got[k], v)
			}
		}
	}
	if accepted != 9 {
		t.Errorf("the flat reader took %d of the bodies, want the first 9", accepted)
	}
}
