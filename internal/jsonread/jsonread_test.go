package jsonread

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzReaderMatchesEncodingJSON holds each reading to encoding/json: what Skip
// passes is valid JSON, and valid JSON within the nesting bound is passed; what
// PlainString and IsNumber accept, encoding/json reads as the same text and as a
// number.
func FuzzReaderMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"a":[1,-2.5e+3,"x\"y\u00e9",true,false,null,{}],"b":{}}`, `[]`, `"plain"`, `"bad\x"`, `0`, `-0.1`,
		`01`, `1.`, `1e`, `{"a" 1}`, `[1,]`, "\"tab\there\"", "\"\xff\"", `  null  `, `{"a":1}x`, `[[[[]]]]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := New(b)
		skipped := r.Skip() && r.End()
		valid := json.Valid(b)
		if skipped && !valid {
			t.Fatalf("Skip passed %q, which encoding/json refuses", b)
		}
		if valid && !skipped && bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) <= maxDepth {
			t.Fatalf("Skip refused %q, which encoding/json reads", b)
		}
		if text, ok := PlainString(b); ok {
			var s string
			if err := json.Unmarshal(b, &s); err != nil || s != string(text) {
				t.Fatalf("PlainString(%q) = %q; encoding/json reads %q (%v)", b, text, s, err)
			}
		}
		if IsNumber(b) {
			var n json.Number
			if err := json.Unmarshal(b, &n); err != nil || string(n) != string(b) {
				t.Fatalf("IsNumber(%q), but encoding/json reads %q (%v)", b, n, err)
			}
		}
	})
}
