package stocksync

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultStockType is the stock_type the service gives a row sent without one.
const DefaultStockType = "standard"

// Key identifies a stock row on the service: (sku, provider, location, stock_type) is
// unique there, and two rows may share sku, provider and location when their stock types
// differ. Provider is the provider's code and Location the location's code, as the service
// reads and answers them.
type Key struct {
	SKU       string `json:"sku"`
	Provider  string `json:"provider"`
	Location  string `json:"location"`
	StockType string `json:"stock_type"`
}

// String prints the key as sku@provider/location[stock_type].
func (k Key) String() string {
	return fmt.Sprintf("%s@%s/%s[%s]", k.SKU, k.Provider, k.Location, k.StockType)
}

// Row is one desired stock row: what the ERP says the service should hold.
type Row struct {
	// Line is the row's line in its file (0 when the row did not come from one).
	Line int `json:"line,omitempty"`
	Key
	// Quantity is the stock on hand to write.
	Quantity int64 `json:"quantity"`
	// ReservedStock, UnitType and Period are written only when set; a row that leaves
	// them unset leaves the service's values alone.
	ReservedStock *int64 `json:"reserved_stock,omitempty"`
	UnitType      string `json:"unit_type,omitempty"`
	// Period is a date, YYYY-MM-DD: the service's field is a DateField.
	Period string `json:"period,omitempty"`
}

// String prints the row whole ("line 3 SKU-1@erp/110[standard] = 5"), where the
// embedded Key's String would print only the key.
func (r Row) String() string {
	s := fmt.Sprintf("%s = %d", r.Key, r.Quantity)
	if r.Line > 0 {
		s = fmt.Sprintf("line %d %s", r.Line, s)
	}
	return s
}

// RowError is an input row that cannot be synced, with its line. A sync reports it as a
// failed row and goes on with the others.
type RowError struct {
	Line int
	Key  Key
	Err  error
	// keyRead tells that the line's fields were read, so that an empty Key lists no
	// row; without it (a line not UTF-8, too long, with a quote out of place or fields
	// that do not fit the columns, or a RowError of another reader) an empty Key may
	// hide a listed row.
	keyRead bool
}

// Error says which line and why.
func (e *RowError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("row %s: %v", e.Key, e.Err)
}

// Unwrap returns the reason.
func (e *RowError) Unwrap() error { return e.Err }

// normalize fills the default stock type and checks what can be checked without the
// service: required fields present and a period that is a date. The key's fields are
// changed as the service changes them before it stores them (Python's str.strip(), which
// also drops the separators U+001C to U+001F), so that the plan compares what the service
// holds, and a NUL, which the service refuses, is refused here. Lengths are checked by the
// Syncer (Options.MaxLengths); relations and signs are left to the service, whose
// messages are the ones users know.
func (r *Row) normalize() error {
	r.SKU = pyStrip(r.SKU)
	r.Provider = pyStrip(r.Provider)
	r.Location = pyStrip(r.Location)
	r.StockType = pyStrip(r.StockType)
	r.UnitType = pyStrip(r.UnitType)
	if r.StockType == "" {
		r.StockType = DefaultStockType
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"sku", r.SKU}, {"provider", r.Provider}, {"location", r.Location}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s may not be blank", strings.Join(missing, ", "))
	}
	for _, f := range r.textFields() {
		if strings.IndexByte(f.value, 0) >= 0 {
			return fmt.Errorf("%s: %s", f.name, "Null characters are not allowed.") // the service's words
		}
	}
	if r.Period != "" {
		if _, err := time.Parse(time.DateOnly, r.Period); err != nil {
			return fmt.Errorf("period %q is not a date (YYYY-MM-DD)", r.Period)
		}
	}
	return nil
}

type namedValue struct{ name, value string }

func (r *Row) textFields() []namedValue {
	return []namedValue{{"sku", r.SKU}, {"provider", r.Provider}, {"location", r.Location}, {"stock_type", r.StockType}, {"unit_type", r.UnitType}}
}

// pySpace reports whether Python's str.isspace() holds for c: Go's unicode.IsSpace and
// the separators U+001C to U+001F, which Python counts as whitespace.
func pySpace(c rune) bool { return unicode.IsSpace(c) || (c >= 0x1c && c <= 0x1f) }

// pyStrip is Python's str.strip() without arguments: what the service's CharField does
// to a value before it stores it.
func pyStrip(s string) string { return strings.TrimFunc(s, pySpace) }

// Lengths are the longest values, in characters, the service stores in a stock row's
// text fields. The service does not document them; the defaults are the fake's.
type Lengths struct {
	// SKU, StockType and UnitType (DefaultTextLength when 0).
	SKU, StockType, UnitType int
	// Provider and Location codes (DefaultCodeLength when 0).
	Provider, Location int
}

// Default lengths, the fake's (whippywaretest): a name or SKU field, and a code.
const (
	DefaultTextLength = 255
	DefaultCodeLength = 128
)

func (l Lengths) withDefaults() Lengths {
	for _, f := range []*int{&l.SKU, &l.StockType, &l.UnitType} {
		if *f == 0 {
			*f = DefaultTextLength
		}
	}
	for _, f := range []*int{&l.Provider, &l.Location} {
		if *f == 0 {
			*f = DefaultCodeLength
		}
	}
	return l
}

// check refuses a row whose text the service would refuse as too long, with the
// service's own message, so that the row is refused on every run without a request.
func (l Lengths) check(r *Row) error {
	max := []int{l.SKU, l.Provider, l.Location, l.StockType, l.UnitType}
	for i, f := range r.textFields() {
		if utf8.RuneCountInString(f.value) > max[i] {
			return fmt.Errorf("%s: %s", f.name, fmt.Sprintf("Ensure this field has no more than %d characters.", max[i])) // the service's words
		}
	}
	return nil
}
