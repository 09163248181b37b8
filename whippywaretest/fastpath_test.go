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
