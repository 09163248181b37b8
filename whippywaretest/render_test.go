package whippywaretest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is how writeJSON rendered every answer before the renderers: encoding/json,
// HTML left unescaped, no trailing newline.
func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// TestRenderersMatchEncodingJSON checks that every hand-written renderer writes exactly the
// bytes encoding/json wrote, for strings that need every kind of escape.
func TestRenderersMatchEncodingJSON(t *testing.T) {
	texts := []string{"", "plain-CODE_1", `a"b\c`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
		"İstanbul şube ğ ü ö ç", "line\u2028sep\u2029", "bad\xffutf8\xc3", "emoji 😀", "/slash/"}
	date, id := "2023-05-10", int64(7)
	for _, s := range texts {
		values := []any{
			Provider{ID: 1, CreatedDate: s, ModifiedDate: s, IsActive: true, Name: s, Code: s, ShouldAddReservations: true},
			StockLocation{ID: 2, Name: s, Code: s, Provider: -3},
			StockListRule{ID: 3, Name: s, RuleType: s, Rule: json.RawMessage(`{ "a" : [1, "<&>"] }`)},
			StockListRule{ID: 3, Name: s},
			StockList{ID: 4, Code: s, Name: s, RemoteID: &id, StockListRule: nil},
			StockList{ID: 4, Code: s, Name: s, RemoteID: nil, StockListRule: &id},
			Stock{ID: 5, Period: &date, StockType: s, UnitType: s, Provider: s, Location: s, Stock: 1 << 40, ReservedStock: -1, SKU: s},
			Stock{ID: 5, Period: &s},
			stockByID{Stock{ID: 6, SKU: s, Location: s}, 9},
			pageBody[Stock]{Count: 2, Next: &s, Results: []Stock{{ID: 1, SKU: s}, {ID: 2}}},
			pageBody[Stock]{Count: 0, Previous: &s, Results: []Stock{}},
			pageBody[Provider]{},
			pageBody[any]{Count: 1, Results: []any{stockByID{Stock{ID: 6, SKU: s}, 1}, Stock{SKU: s}}},
		}
		for _, v := range values {
			want := encodingJSON(t, v)
			got := string(v.(appender).appendJSON(nil))
			if got != want {
				t.Errorf("%T with %q:\n got %s\nwant %s", v, s, got, want)
			}
		}
		if got, want := string(detailBody(s).appendJSON(nil)), encodingJSON(t, map[string]string{"detail": s}); got != want {
			t.Errorf("detail %q: got %s, want %s", s, got, want)
		}
	}
}
