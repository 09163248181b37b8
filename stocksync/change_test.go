package stocksync

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whippyware-go/whippyware"
)

// A change kept compact reads back as the Change it was made from, for every action and
// every field.
func TestCompactChangeReadsBackWhole(t *testing.T) {
	ix := newIndex()
	key := Key{SKU: "A-1", Provider: "erp", Location: "110", StockType: "virtual"}
	for _, c := range []Change{
		{Action: Create, Row: Row{Line: 7, Key: key, Quantity: 5, ReservedStock: whippyware.Ptr[int64](2), UnitType: "pcs", Period: "2026-11-01"}},
		{Action: Update, ID: 9, Fields: []string{"stock", "reserved_stock", "unit_type", "period"},
			Row:    Row{Line: 8, Key: key, Quantity: 6, ReservedStock: whippyware.Ptr[int64](0), UnitType: "kg", Period: "2026-12-01"},
			Before: &Before{Stock: 1, ReservedStock: 3, UnitType: "qty", Period: "2026-01-01"}},
		{Action: Update, ID: 10, Fields: []string{"period"}, Row: Row{Key: key, Period: "2026-12-01"}, Before: &Before{Stock: 0}},
		{Action: Zero, ID: 11, Fields: []string{"stock"}, Row: Row{Key: Key{SKU: "GONE", Provider: "erp", Location: "999", StockType: "standard"}},
			Before: &Before{Stock: 4, UnitType: "qty"}},
	} {
		p := &Plan{changes: []change{compact(ix, c, 0)}, names: ix.strings}
		assert.Equal(t, c, p.Change(0))
	}
}
