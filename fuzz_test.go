package whippyware

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below run their seeds in every go test; run one for longer with
// go test -run '^$' -fuzz '^FuzzErrorBody$' -fuzztime 60s .

func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"username": ["This field is required."], "password": ["This field is required."]}`,
		`{"non_field_errors": ["Unable to log in with provided credentials."]}`,
		`{"detail": "Invalid token."}`,
		`{"rule": {"providers": ["This field is required."]}}`,
		`["Stock list code already exists."]`,
		`{"code": "Invalid value."}`,
		`{"items": [{"sku": ["bad"]}, {}]}`,
		`<html><body>502 Bad Gateway</body></html>`,
		``, `null`, `7`, `"x"`, `{"a": {"b": {"c": [1, true, null]}}}`,
	} {
		for _, status := range []int{400, 401, 404, 429, 502} {
			f.Add(status, []byte(seed))
		}
	}
	u, _ := url.Parse(testAPI + "providers/")
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 300 + int(uint(status)%300)
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		err := newResponseError(http.MethodPost, u, resp, 1, body)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Fatalf("status %d gave %T %v", status, err, err)
		}
		var vErr *ValidationError
		if (status == 400) != errors.As(err, &vErr) {
			t.Fatalf("status %d gave %T", status, err)
		}
		if cap(apiErr.Body) > maxKeptBodyBytes {
			t.Fatalf("kept %d bytes of the body", cap(apiErr.Body))
		}
		if !json.Valid(body) && !utf8.ValidString(apiErr.Detail) {
			t.Fatalf("snippet %q is not valid UTF-8", apiErr.Detail)
		}
		_ = err.Error()
	})
}

func FuzzPageNumber(f *testing.F) {
	for _, seed := range []string{
		"https://{whippy_api_url}/api/v1/providers/?page=2",
		"http://{whippy_api_url}/api/v1/stock-list-rules/?page=2",
		"http://localhost:8000/api/v1/stocks/?limit=500&page=3",
		"https://h/api/v1/stocks/?sku=a%26page%3D9&page=4#frag",
		"https://h/api/v1/stocks/", "", "?page=", "?page=-1", "?page=abc&page=2",
	} {
		f.Add(seed, 5)
	}
	f.Fuzz(func(t *testing.T, link string, n int) {
		if got := pageNumber(link); got < 0 {
			t.Fatalf("pageNumber(%q) = %d", link, got)
		}
		// A well-formed link with the page parameter appended gives that page,
		// whatever comes before it.
		if n < 1 || strings.ContainsAny(link, "#") {
			return
		}
		sep := "?"
		if strings.Contains(link, "?") {
			sep = "&"
		}
		withPage := link + sep + "page=" + strconv.Itoa(n)
		if q, err := url.ParseQuery(withPage[strings.Index(withPage, "?")+1:]); err == nil && len(q["page"]) == 1 {
			if got := pageNumber(withPage); got != n {
				t.Fatalf("pageNumber(%q) = %d, want %d", withPage, got, n)
			}
		}
	})
}

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
