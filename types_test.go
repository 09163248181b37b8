package whippyware

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzStringOrNumber: a JSON string (or null) decodes to the text encoding/json
// reads into a string, a JSON number keeps its text as written, anything else is
// an error; and the value survives a round trip.
func FuzzStringOrNumber(f *testing.F) {
	for _, seed := range []string{
		`"110"`, `110`, `null`, `1.5e3`, `-7`, `""`, `"\u00e9"`, `true`, `{}`, `[1]`, `"unterminated`,
		`"é"`, "\"\xff\"", "\"a\tb\"", `"a\"b"`, `-0`, `01`, `1.`, `.5`, `1e`, `1E+9`, `-`, ` 12 `, `"a"b"`, `1 2`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v StringOrNumber
		err := json.Unmarshal(data, &v)
		var text string
		var number json.Number
		switch {
		case json.Unmarshal(data, &text) == nil:
			if err != nil || string(v) != text {
				t.Fatalf("the string %s decoded to %q, %v; want %q", data, v, err, text)
			}
		case json.Unmarshal(data, &number) == nil:
			if want := string(bytes.TrimSpace(data)); err != nil || string(v) != want {
				t.Fatalf("the number %s decoded to %q, %v; want it as written", data, v, err)
			}
		default:
			if err == nil {
				t.Fatalf("%q is neither a string nor a number, yet decoded to %q", data, v)
			}
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back StringOrNumber
		if err := json.Unmarshal(out, &back); err != nil || back != v {
			t.Fatalf("%q did not survive a round trip: %q, %v", v, back, err)
		}
	})
}

func FuzzDateOrTime(f *testing.F) {
	for _, seed := range []string{"2023-05-10", "2023-05-10T13:37:18.209869+03:00", "2023-05-10T13:37:18Z", "2023-05-10T13:37:18.209869", "2023-02-30", "", "10/05/2023"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDateOrTime(s)
		if err != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			return // a year outside 0-9999 has no RFC 3339 form
		}
		var back DateOrTime
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s (from %q) does not decode: %v", out, s, err)
		}
		if !back.Equal(d.Time) || back.DateOnly != d.DateOnly {
			t.Fatalf("%q became %v (date only %v), want %v (%v)", s, back.Time, back.DateOnly, d.Time, d.DateOnly)
		}
	})
}
