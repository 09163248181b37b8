package stocksync

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/whippyware-go/whippyware"
)

// index is the desired state keyed by the full key, kept compact because it holds every
// input row while the current stock streams past it: the strings that repeat across rows
// (provider, location, stock type, unit type, period) are stored once and named by a
// number (BenchmarkIndexBytesPerRow measures what a row keeps).
type index struct {
	ids     map[string]uint32
	strings []string // by id; id 0 is ""
	rows    map[rowKey]desired
	// superseded counts input rows replaced by a later row with the same key.
	superseded int
	seq        int32
}

type rowKey struct {
	sku                           string
	provider, location, stockType uint32
}

// desired is what one input row asks for. Unit type and period 0 mean "not given".
type desired struct {
	quantity, reserved int64
	seq, line          int32
	unitType, period   uint32
	hasReserved, seen  bool
	// invalid marks a key an invalid input row names: never written, never zeroed.
	invalid bool
}

func newIndex() *index {
	return &index{ids: map[string]uint32{"": 0}, strings: []string{""}, rows: map[rowKey]desired{}}
}

// intern returns the id of s, adding it when new.
func (ix *index) intern(s string) uint32 {
	if id, ok := ix.ids[s]; ok {
		return id
	}
	id := uint32(len(ix.strings))
	ix.ids[s] = id
	ix.strings = append(ix.strings, s)
	return id
}

// add indexes a normalized row; a later row with the same key replaces an earlier one.
func (ix *index) add(r Row) {
	k := rowKey{sku: r.SKU, provider: ix.intern(r.Provider), location: ix.intern(r.Location), stockType: ix.intern(r.StockType)}
	d := desired{quantity: r.Quantity, seq: ix.seq, line: int32(r.Line), unitType: ix.intern(r.UnitType), period: ix.intern(r.Period)}
	if r.ReservedStock != nil {
		d.reserved, d.hasReserved = *r.ReservedStock, true
	}
	ix.seq++
	if old, dup := ix.rows[k]; dup {
		ix.superseded++
		if old.invalid {
			return // an invalid row of the same key puts the input's word in doubt
		}
	}
	ix.rows[k] = d
}

// protect indexes the key of an invalid row, when it names one, so that a snapshot does
// not zero the row it lists, and tells whether it did. A valid row of the same key,
// earlier or later, is replaced: the input's word on that row is in doubt.
func (ix *index) protect(k Key) bool {
	r := Row{Key: k}
	if r.normalize() != nil && (r.SKU == "" || r.Provider == "" || r.Location == "") {
		return false
	}
	rk := rowKey{sku: r.SKU, provider: ix.intern(r.Provider), location: ix.intern(r.Location), stockType: ix.intern(r.StockType)}
	if _, dup := ix.rows[rk]; dup {
		ix.superseded++
	}
	ix.rows[rk] = desired{seq: ix.seq, invalid: true}
	ix.seq++
	return true
}

// lookup finds the desired row for a stock read from the service, and marks it seen; the
// desired row returned is as it was, its seen telling whether a stock had the key before.
// A string never interned cannot be part of any key, so it is not added.
func (ix *index) lookup(st *whippyware.Stock) (rowKey, desired, bool) {
	p, ok1 := ix.ids[st.Provider]
	l, ok2 := ix.ids[st.Location.String()]
	t, ok3 := ix.ids[stockTypeOf(st)]
	if !ok1 || !ok2 || !ok3 {
		return rowKey{}, desired{}, false
	}
	k := rowKey{sku: st.SKU, provider: p, location: l, stockType: t}
	d, ok := ix.rows[k]
	if ok && !d.seen {
		marked := d
		marked.seen = true
		ix.rows[k] = marked
	}
	return k, d, ok
}

// unseen counts the keys of provider's input rows that no stock read so far had, and
// returns them in input order when there are fewer than most; more are not looked up,
// so they are not gathered (a snapshot's or a full input's could be millions).
func (ix *index) unseen(provider string, most int) (n int, keys []Key) {
	p, ok := ix.ids[provider]
	if !ok {
		return 0, nil
	}
	type keyAt struct {
		seq int32
		key Key
	}
	var found []keyAt
	for k, d := range ix.rows {
		if k.provider == p && !d.seen && !d.invalid { // an invalid row is not written: nothing to look up
			if n++; n < most {
				found = append(found, keyAt{d.seq, ix.row(k, d).Key})
			}
		}
	}
	if n >= most {
		return n, nil
	}
	slices.SortFunc(found, func(a, b keyAt) int { return cmp.Compare(a.seq, b.seq) })
	keys = make([]Key, len(found))
	for i, f := range found {
		keys[i] = f.key
	}
	return n, keys
}

// row rebuilds the Row of a key and its desired values.
func (ix *index) row(k rowKey, d desired) Row {
	r := Row{
		Line:     int(d.line),
		Key:      Key{SKU: k.sku, Provider: ix.strings[k.provider], Location: ix.strings[k.location], StockType: ix.strings[k.stockType]},
		Quantity: d.quantity,
		UnitType: ix.strings[d.unitType],
		Period:   ix.strings[d.period],
	}
	if d.hasReserved {
		r.ReservedStock = whippyware.Ptr(d.reserved)
	}
	return r
}

// locationsByProvider returns, per provider code, the location codes the input names.
func (ix *index) locationsByProvider() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for k := range ix.rows {
		p := ix.strings[k.provider]
		if out[p] == nil {
			out[p] = map[string]bool{}
		}
		out[p][ix.strings[k.location]] = true
	}
	return out
}

// keyOf is a stock row's identity, its stock type "standard" when the service left it
// empty.
func keyOf(st *whippyware.Stock) Key {
	return Key{SKU: st.SKU, Provider: st.Provider, Location: st.Location.String(), StockType: stockTypeOf(st)}
}

// stockTypeOf is a row's stock type, "standard" when the service left it empty.
func stockTypeOf(st *whippyware.Stock) string {
	if st.StockType == "" {
		return DefaultStockType
	}
	return st.StockType
}

// periodOf prints a stock's period as the service holds it: a date as YYYY-MM-DD, a
// timestamp in full, "" for none.
func periodOf(st *whippyware.Stock) string {
	switch {
	case st.Period == nil || st.Period.IsZero():
		return ""
	case st.Period.DateOnly:
		return st.Period.Format("2006-01-02")
	default:
		b, _ := st.Period.MarshalJSON()
		s, _ := strconv.Unquote(string(b))
		return s
	}
}
