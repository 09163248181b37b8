package whippyware

import (
	"bytes"
	"encoding/json"
	"testing"
)

// referenceStringOrNumber is StringOrNumber.UnmarshalJSON read entirely by
// encoding/json, as it was before its fast path: what the fast path must agree with.
func referenceStringOrNumber(data []byte) (StringOrNumber, error) {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		return "", nil
	case len(data) > 0 && data[0] == '"':
		var v string
		err := json.Unmarshal(data, &v)
		return StringOrNumber(v), err
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return "", err
	}
	return StringOrNumber(n), nil
}

func FuzzStringOrNumber(f *testing.F) {
	for _, seed := range []string{
		`"110"`, `110`, `null`, `1.5e3`, `-7`, `""`, `"\u00e9"`, `true`, `{}`, `[1]`, `"unterminated`,
		`"é"`, "\"\xff\"", "\"a\tb\"", `"a\"b"`, `-0`, `01`, `1.`, `.5`, `1e`, `1E+9`, `-`, ` 12 `, `"a"b"`, `1 2`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The method alone, as encoding/json calls it and as a caller may, agrees
		// with encoding/json's own reading.
		var direct StringOrNumber
		directErr := direct.UnmarshalJSON(data)
		want, wantErr := referenceStringOrNumber(data)
		if (directErr == nil) != (wantErr == nil) || direct != want {
			t.Fatalf("UnmarshalJSON(%q) = %q, %v; encoding/json reads %q, %v", data, direct, directErr, want, wantErr)
		}

		var v StringOrNumber
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		var s string
		if json.Unmarshal(data, &s) == nil && string(v) != s {
			t.Fatalf("%s decoded to %q, want %q", data, v, s)
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

// FuzzDateOrTimeJSON checks UnmarshalJSON's fast path for plain dates against the
// way it reads everything else: encoding/json, then ParseDateOrTime.
func FuzzDateOrTimeJSON(f *testing.F) {
	for _, seed := range []string{
		`"2023-05-10"`, `"2023-02-29"`, `"2024-02-29"`, `"2023-02-30"`, `"2023-00-10"`, `"2023-13-01"`, `"2023-05-00"`,
		`"0000-01-01"`, `"9999-12-31"`, `"2023-5-10"`, `"2023/05/10"`, `"2023-05-1x"`, `"+023-05-10"`, `"2023-05-10T13:37:18Z"`,
		`"2023-05-10T13:37:18.209869+03:00"`, `"2023\u002d05-10"`, `null`, `20230510`, `"2023-05-10`, `""`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got DateOrTime
		gotErr := got.UnmarshalJSON(data)
		var want DateOrTime
		var wantErr error
		if !bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
			var s string
			if wantErr = json.Unmarshal(data, &s); wantErr == nil {
				want, wantErr = ParseDateOrTime(s)
			}
		}
		if (gotErr == nil) != (wantErr == nil) || !got.Equal(want.Time) || got.DateOnly != want.DateOnly ||
			got.Location().String() != want.Location().String() {
			t.Fatalf("UnmarshalJSON(%q) = %v (date only %v), %v; want %v (%v), %v", data, got.Time, got.DateOnly, gotErr, want.Time, want.DateOnly, wantErr)
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
