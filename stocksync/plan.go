package stocksync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/whippyware-go/whippyware"
)

// Action is what a plan does to one stock row.
type Action string

// The actions of a plan. Zero sets a row the input no longer lists to 0 (snapshot mode).
const (
	Create Action = "create"
	Update Action = "update"
	Zero   Action = "zero"
)

// Before is a stock row as the service held it when the plan was made.
type Before struct {
	Stock         int64  `json:"stock"`
	ReservedStock int64  `json:"reserved_stock"`
	UnitType      string `json:"unit_type"`
	Period        string `json:"period,omitempty"`
}

// Change is one write of a plan.
type Change struct {
	Action Action `json:"action"`
	// Row is the desired row: for Zero, the row's key with quantity 0.
	Row Row `json:"row"`
	// ID is the stock row's id for Update and Zero.
	ID int64 `json:"id,omitempty"`
	// Fields are the fields an Update or Zero writes: only those that differ.
	Fields []string `json:"fields,omitempty"`
	// Before is the row as read, for Update and Zero.
	Before *Before `json:"before,omitempty"`

	seq int32 // the input row's position, which orders the plan
}

// Plan is what a sync will write, computed from the input and one read of the current
// stock. It holds only the rows that change; unchanged rows are counted.
type Plan struct {
	// changes are ordered as the input (creates and updates), then zeroes by id, so that
	// the same input and store give the same plan; Change and Changes read them, and
	// names holds the strings they name.
	changes []change
	names   []string
	// Unchanged counts input rows the service already holds as asked.
	Unchanged int `json:"unchanged"`
	// Superseded counts input rows replaced by a later row with the same key.
	Superseded int `json:"superseded"`
	// Invalid are the input rows refused before any request, with why: the first
	// Options.MaxInvalidListed of them. InvalidRows counts them all.
	Invalid     []Outcome `json:"invalid,omitempty"`
	InvalidRows int       `json:"invalid_rows"`
	// Skipped counts input rows of providers that Options.Providers leaves out.
	Skipped int `json:"skipped,omitempty"`
	// Snapshot tells whether rows missing from the input are zeroed.
	Snapshot bool `json:"snapshot"`
	// ZeroesWithheld counts the rows a snapshot did not zero because the input had
	// invalid rows (see Options.ZeroDespiteInvalid).
	ZeroesWithheld int `json:"zeroes_withheld,omitempty"`
	// UnkeyedRows counts the invalid rows whose key could not be read whole (a line
	// that is not UTF-8, too long, or with fields that do not fit the columns), when
	// they withheld zeroes that Options.ZeroDespiteInvalid let through: the row such a
	// line lists is not known, so its provider's rows (every provider's, when the
	// provider could not be read either) are not zeroed.
	UnkeyedRows int `json:"unkeyed_rows,omitempty"`
	// unkeyed counts the invalid rows whose key could not be read whole by provider, ""
	// when the provider could not be read either.
	unkeyed map[string]int
	// Refused lists the providers whose zeroes pass Options.MaxZero: a plan with any
	// is not applied, and Apply returns an error wrapping ErrTooManyZeroes.
	Refused []ZeroRefusal `json:"refused,omitempty"`
	// Reads say how each provider's current stock was read (every page, or a lookup per
	// input key), and why.
	Reads []Read `json:"reads"`
	// StocksRead and Requests are the current rows read and the requests that took, each
	// retry included; Throttled counts the 429s among them.
	StocksRead int `json:"stocks_read"`
	Requests   int `json:"requests"`
	Throttled  int `json:"throttled"`
}

// Count returns the number of changes with action a.
func (p *Plan) Count(a Action) int {
	n := 0
	for i := range p.changes {
		if actions[p.changes[i].action] == a {
			n++
		}
	}
	return n
}

// Plan reads rows and the current stock of each provider the rows name, and returns the
// writes that make the store match the rows. Rows that yield a *RowError are kept in
// Plan.Invalid; any other error from rows, or a failure to read the current stock, ends
// planning with that error.
func (s *Syncer) Plan(ctx context.Context, rows iter.Seq2[Row, error]) (*Plan, error) {
	plan := &Plan{Snapshot: s.opts.Snapshot}
	ix := newIndex()
	for row, err := range rows {
		if err == nil {
			err = row.normalize()
			if err == nil {
				err = s.opts.MaxLengths.check(&row)
			}
			if err != nil {
				err = &RowError{Line: row.Line, Key: row.Key, Err: err, keyRead: true}
			}
		}
		var rowErr *RowError
		switch {
		case errors.As(err, &rowErr):
			key := rowErr.Key
			key.Provider = pyStrip(key.Provider)
			if key.Provider != "" && !s.selected(key.Provider) {
				plan.Skipped++
				continue
			}
			plan.InvalidRows++
			if len(plan.Invalid) < s.opts.MaxInvalidListed {
				plan.Invalid = append(plan.Invalid, Outcome{Line: rowErr.Line, Key: rowErr.Key, Result: Failed, Messages: []string{rowErr.Err.Error()}})
			}
			// A listed row is never zeroed, valid or not, nor written with the value of
			// another line of its key; a line that lists a row it does not name whole
			// keeps its provider's rows (every provider's, when unread).
			listsSome := !rowErr.keyRead || pyStrip(rowErr.Key.SKU) != "" || key.Provider != "" || pyStrip(rowErr.Key.Location) != ""
			if !ix.protect(rowErr.Key) && listsSome && s.opts.Snapshot {
				if plan.unkeyed == nil {
					plan.unkeyed = map[string]int{}
				}
				plan.unkeyed[key.Provider]++
			}
			continue
		case err != nil:
			return nil, err
		}
		if !s.selected(row.Provider) {
			plan.Skipped++
			continue
		}
		ix.add(row)
	}
	plan.Superseded = ix.superseded
	rd := &reader{s: s, sender: &sender{limiter: s.limiter}, ix: ix, plan: plan, held: map[string]int{}}
	locations := ix.locationsByProvider()
	if s.opts.BeforeRead != nil {
		if err := s.opts.BeforeRead(ctx, slices.Sorted(maps.Keys(locations))); err != nil {
			return nil, err
		}
	}
	for _, provider := range slices.Sorted(maps.Keys(locations)) {
		if err := rd.readProvider(ctx, provider, locations[provider]); err != nil {
			return nil, fmt.Errorf("stocksync: reading the stock of provider %q: %w", provider, err)
		}
	}
	plan.Requests, plan.Throttled = rd.sender.counts()
	// Changes to input rows carry their input position (seq), so that the plan follows
	// the input. They are made straight into a slice of their final size: with a
	// million creates, a copy of each change was a few hundred megabytes more at the
	// peak (10^6 creates are to fit in 350 MiB), and kept compact (see change).
	creates := 0
	for _, d := range ix.rows {
		if !d.seen && !d.invalid {
			creates++
		}
	}
	slices.SortFunc(rd.zeroes, func(a, b Change) int { return cmp.Compare(a.ID, b.ID) })
	zeroes := slices.CompactFunc(rd.zeroes, func(a, b Change) bool { return a.ID == b.ID }) // a row read twice
	for _, c := range zeroes {
		rd.held[c.Row.Provider]++
	}
	plan.changes = make([]change, 0, len(rd.changes)+creates+len(zeroes))
	for _, c := range rd.changes {
		plan.changes = append(plan.changes, compact(ix, c, c.seq))
	}
	for k, d := range ix.rows {
		if !d.seen && !d.invalid {
			plan.changes = append(plan.changes, created(k, d))
		}
	}
	slices.SortFunc(plan.changes, func(a, b change) int { return cmp.Compare(a.seq, b.seq) })
	for _, c := range zeroes {
		plan.changes = append(plan.changes, compact(ix, c, 0))
	}
	plan.names = ix.strings
	plan.guard(s.opts, rd.held)
	if len(ix.rows) >= largeInput {
		// The index of the input (and the reader's copies) are garbage from here on:
		// collected now, before the writes, the heap's next goal follows the plan
		// instead of twice the index. It keeps the command's sync of 10^6 creates with
		// --report under its 350 MiB target: a peak RSS of 313-322 MiB with it, 329-460
		// MiB without (as the collector's cycles happen to fall).
		runtime.GC()
	}
	return plan, nil
}

// largeInput is the input size from which Plan collects its index before returning.
const largeInput = 100_000

// selected tells whether Options.Providers lets a provider's rows through.
func (s *Syncer) selected(provider string) bool {
	return len(s.opts.Providers) == 0 || slices.Contains(s.opts.Providers, provider)
}

// diff compares a stock row with the row asked for: an update of the fields that differ,
// and whether any does. Fields the input leaves unset are not compared.
func diff(st *whippyware.Stock, want Row) (Change, bool) {
	var fields []string
	if st.Stock != want.Quantity {
		fields = append(fields, "stock")
	}
	if want.ReservedStock != nil && st.ReservedStock != *want.ReservedStock {
		fields = append(fields, "reserved_stock")
	}
	if want.UnitType != "" && st.UnitType != want.UnitType {
		fields = append(fields, "unit_type")
	}
	if want.Period != "" && periodOf(st) != want.Period {
		fields = append(fields, "period")
	}
	return Change{Action: Update, Row: want, ID: st.ID, Fields: fields, Before: before(st)}, len(fields) > 0
}

func before(st *whippyware.Stock) *Before {
	return &Before{Stock: st.Stock, ReservedStock: st.ReservedStock, UnitType: st.UnitType, Period: periodOf(st)}
}

// WriteTo prints the plan, one line per change and per invalid row, then a summary line.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for c := range p.Changes() {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	for _, o := range p.Invalid {
		fmt.Fprintf(&b, "invalid %s\n", o.where())
	}
	if more := p.InvalidRows - len(p.Invalid); more > 0 {
		fmt.Fprintf(&b, "invalid: %d more lines not listed\n", more)
	}
	b.WriteString(p.guardText())
	for _, r := range p.Reads {
		if r.Pages > 1 { // a choice was made
			fmt.Fprintf(&b, "read %s by %s: %s\n", r.Provider, r.Mode, r.Reason)
		}
	}
	fmt.Fprintf(&b, "plan: %d to create, %d to update, %d to zero, %d unchanged, %d invalid, %d superseded; read %d stocks in %s\n",
		p.Count(Create), p.Count(Update), p.Count(Zero), p.Unchanged, p.InvalidRows, p.Superseded, p.StocksRead, requests(p.Requests))
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func requests(n int) string {
	if n == 1 {
		return "1 request"
	}
	return fmt.Sprintf("%d requests", n)
}

// String prints a change on one line: the action, where it comes from, the row, what
// changes.
func (c Change) String() string {
	var b strings.Builder
	b.WriteString(string(c.Action))
	if c.Row.Line > 0 {
		fmt.Fprintf(&b, " line %d", c.Row.Line)
	}
	fmt.Fprintf(&b, " %s", c.Row.Key)
	if c.ID > 0 {
		fmt.Fprintf(&b, " id %d", c.ID)
	}
	b.WriteString(":")
	want := c.Row.values()
	if c.Action == Create {
		for _, f := range c.Row.fieldsSet() {
			fmt.Fprintf(&b, " %s %s", f, want[f])
		}
		return b.String()
	}
	had := c.Before.values()
	for _, f := range c.Fields {
		fmt.Fprintf(&b, " %s %s -> %s", f, had[f], want[f])
	}
	return b.String()
}

// fieldsSet are the fields a create sends.
func (r Row) fieldsSet() []string {
	fields := []string{"stock"}
	if r.ReservedStock != nil {
		fields = append(fields, "reserved_stock")
	}
	if r.UnitType != "" {
		fields = append(fields, "unit_type")
	}
	if r.Period != "" {
		fields = append(fields, "period")
	}
	return fields
}

func (r Row) values() map[string]string {
	v := map[string]string{"stock": strconv.FormatInt(r.Quantity, 10), "unit_type": r.UnitType, "period": r.Period}
	if r.ReservedStock != nil {
		v["reserved_stock"] = strconv.FormatInt(*r.ReservedStock, 10)
	}
	return v
}

func (b *Before) values() map[string]string {
	return map[string]string{"stock": strconv.FormatInt(b.Stock, 10), "reserved_stock": strconv.FormatInt(b.ReservedStock, 10),
		"unit_type": b.UnitType, "period": b.Period}
}
