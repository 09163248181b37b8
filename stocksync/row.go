package stocksync

import (
	"fmt"
	"strings"
	"time"
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
// service: required fields present and a period that is a date. Lengths, signs and
// relations are left to the service, whose messages are the ones users know.
func (r *Row) normalize() error {
	r.SKU = strings.TrimSpace(r.SKU)
	r.Provider = strings.TrimSpace(r.Provider)
	r.Location = strings.TrimSpace(r.Location)
	r.StockType = strings.TrimSpace(r.StockType)
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
	if r.Period != "" {
		if _, err := time.Parse(time.DateOnly, r.Period); err != nil {
			return fmt.Errorf("period %q is not a date (YYYY-MM-DD)", r.Period)
		}
	}
	return nil
}
