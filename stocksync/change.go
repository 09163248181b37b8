package stocksync

import (
	"encoding/json"
	"iter"
	"slices"

	"github.com/whippyware-go/whippyware"
)

// change is one write of a plan as the plan keeps it: only what the write and the report
// need, with the strings that repeat across rows (provider, location, stock type, unit
// type, period) as numbers naming Plan.names, and the fields written as a bit set. A
// plan of a million creates holds a million of them, and 10^6 creates are to sync within
// 350 MiB peak RSS: kept as Changes, the plan alone took more than twice the memory per row
// (BenchmarkSync100kLiveHeap reports it).
type change struct {
	sku                                             string
	id, quantity, reserved                          int64
	before                                          *Before
	line, seq                                       int32
	provider, location, stockType, unitType, period uint32
	action                                          uint8 // an index into actions
	fields                                          uint8 // bit i set: fieldNames[i] is written
	hasReserved                                     bool
}

var (
	actions    = []Action{Create, Update, Zero}
	fieldNames = []string{"stock", "reserved_stock", "unit_type", "period"}
)

// compact makes a change of c, naming its strings through ix.
func compact(ix *index, c Change, seq int32) change {
	k := c.Row.Key
	ch := change{sku: k.SKU, id: c.ID, quantity: c.Row.Quantity, before: c.Before, line: int32(c.Row.Line), seq: seq,
		provider: ix.intern(k.Provider), location: ix.intern(k.Location), stockType: ix.intern(k.StockType),
		unitType: ix.intern(c.Row.UnitType), period: ix.intern(c.Row.Period),
		action: uint8(slices.Index(actions, c.Action))}
	if c.Row.ReservedStock != nil {
		ch.reserved, ch.hasReserved = *c.Row.ReservedStock, true
	}
	for _, f := range c.Fields {
		ch.fields |= 1 << slices.Index(fieldNames, f)
	}
	return ch
}

// created is the change that creates the input row of key k.
func created(k rowKey, d desired) change {
	return change{sku: k.sku, quantity: d.quantity, reserved: d.reserved, hasReserved: d.hasReserved, line: d.line, seq: d.seq,
		provider: k.provider, location: k.location, stockType: k.stockType, unitType: d.unitType, period: d.period}
}

// Len is the number of changes.
func (p *Plan) Len() int { return len(p.changes) }

// Change returns the i-th change, 0 <= i < Len(): creates and updates in the input's
// order, then zeroes by id.
func (p *Plan) Change(i int) Change {
	c := &p.changes[i]
	out := Change{Action: actions[c.action], ID: c.id, Before: c.before, Row: Row{
		Line: int(c.line), Quantity: c.quantity, UnitType: p.names[c.unitType], Period: p.names[c.period],
		Key: Key{SKU: c.sku, Provider: p.names[c.provider], Location: p.names[c.location], StockType: p.names[c.stockType]},
	}}
	if c.hasReserved {
		out.Row.ReservedStock = whippyware.Ptr(c.reserved)
	}
	for i, f := range fieldNames {
		if c.fields&(1<<i) != 0 {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}

// Changes yields the changes in order, as Change returns them.
func (p *Plan) Changes() iter.Seq[Change] {
	return func(yield func(Change) bool) {
		for i := range p.changes {
			if !yield(p.Change(i)) {
				return
			}
		}
	}
}

// MarshalJSON writes the plan with its changes listed under "changes".
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	return json.Marshal(struct {
		Changes []Change `json:"changes"`
		*plain
	}{slices.AppendSeq([]Change{}, p.Changes()), (*plain)(p)})
}
