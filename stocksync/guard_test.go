package stocksync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestParseZeroLimit(t *testing.T) {
	for in, want := range map[string]stocksync.ZeroLimit{"25%": {Percent: 25}, "0.5 %": {Percent: 0.5}, "500": {Rows: 500}, "0": {}, "100%": {Percent: 100}} {
		got, err := stocksync.ParseZeroLimit(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "x", "-1", "101%", "-5%", "NaN%", "1.5"} {
		_, err := stocksync.ParseZeroLimit(in)
		assert.Error(t, err, in)
	}
}

// snapshotOf seeds held rows of erp_main at 110 and plans a snapshot that lists listed of them.
func snapshotOf(t *testing.T, held, listed int, opts stocksync.Options) (*stocksync.Plan, *wt.Server) {
	t.Helper()
	fake := newFake(t)
	var in strings.Builder
	for i := range held {
		fake.AddStock(wt.Stock{SKU: fmt.Sprintf("S%04d", i), Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
		if i < listed {
			fmt.Fprintf(&in, "S%04d,erp_main,110,1\n", i)
		}
	}
	opts.Snapshot = true
	plan, err := newSyncer(t, fake.Client(), opts).Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(in.String())))
	require.NoError(t, err)
	return plan, fake
}

// The default limit: 10% of the rows with stock, up to 20 for a small store, at most half.
func TestDefaultZeroLimit(t *testing.T) {
	for _, tc := range []struct{ held, zeroes, allowed int }{
		{1000, 100, 100}, {1000, 101, 100}, {100, 20, 20}, {100, 21, 20}, {10, 5, 5}, {10, 6, 5}, {2, 1, 1}, {3, 2, 1},
	} {
		plan, _ := snapshotOf(t, tc.held, tc.held-tc.zeroes, stocksync.Options{})
		if tc.zeroes <= tc.allowed {
			assert.Empty(t, plan.Refused, "%+v", tc)
			continue
		}
		assert.Equal(t, []stocksync.ZeroRefusal{{Provider: "erp_main", Zeroes: tc.zeroes, Held: tc.held, Allowed: tc.allowed}}, plan.Refused, "%+v", tc)
	}
}

// A refused plan writes nothing through Apply, and says why.
func TestApplyWritesNothingForARefusedPlan(t *testing.T) {
	plan, fake := snapshotOf(t, 50, 10, stocksync.Options{MaxZero: &stocksync.ZeroLimit{Percent: 50}})
	require.Len(t, plan.Refused, 1)
	rep, err := newSyncer(t, fake.Client(), stocksync.Options{}).Apply(context.Background(), plan)
	require.ErrorIs(t, err, stocksync.ErrTooManyZeroes)
	assert.Contains(t, err.Error(), `provider "erp_main": 40 of its 50 rows with stock would be zeroed, 25 allowed`)
	assert.Equal(t, 40, rep.NotDone)
	assert.Zero(t, fake.RequestCount("PATCH", "/api/v1/stocks/*"))
}

// Zeroing despite invalid rows keeps the rows a line may list when its key cannot be
// read whole: its provider's, or every provider's when the provider is unknown, as with
// a keyless *RowError from a program's own reader. A line whose key fields are all blank
// lists no row, and does not hold zeroes back.
func TestZeroDespiteInvalidKeepsTheRowsOfAnUnreadKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bad     error
		zeroed  bool
		unkeyed int
	}{
		{"keyless error of another reader", &stocksync.RowError{Line: 2, Err: errors.New("unreadable")}, false, 1},
		{"provider known, SKU not", &stocksync.RowError{Line: 2, Key: stocksync.Key{Provider: "erp_main"}, Err: errors.New("no sku")}, false, 1},
		{"the whole key known", &stocksync.RowError{Line: 2, Key: stocksync.Key{SKU: "S0", Provider: "erp_main", Location: "110"}, Err: errors.New("bad quantity")}, true, 0},
	} {
		fake := newFake(t)
		for _, sku := range []string{"S0", "S1", "S2"} {
			fake.AddStock(wt.Stock{SKU: sku, Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
		}
		in := func(yield func(stocksync.Row, error) bool) {
			_ = yield(stocksync.Row{Line: 1, Key: stocksync.Key{SKU: "S1", Provider: "erp_main", Location: "110"}, Quantity: 1}, nil) &&
				yield(stocksync.Row{}, tc.bad)
		}
		plan, err := newSyncer(t, fake.Client(), stocksync.Options{Snapshot: true, ZeroDespiteInvalid: true}).Plan(context.Background(), in)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.zeroed, plan.Count(stocksync.Zero) == 1, tc.name)
		assert.Equal(t, tc.unkeyed, plan.UnkeyedRows, tc.name)
		for c := range plan.Changes() {
			assert.NotEqual(t, "S0", c.Row.SKU, "%s: a listed row is never zeroed", tc.name)
		}
	}
	fake := newFake(t)
	for _, sku := range []string{"S0", "S1"} {
		fake.AddStock(wt.Stock{SKU: sku, Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
	}
	plan, err := newSyncer(t, fake.Client(), stocksync.Options{Snapshot: true, ZeroDespiteInvalid: true}).
		Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("S0,erp_main,110,1\n,,,\n")))
	require.NoError(t, err)
	assert.Equal(t, 1, plan.Count(stocksync.Zero), "a blank line of commas lists no row")
}

// A row listed again on a later, invalid line is not written with the earlier line's
// value, in either mode: the input's last word on it cannot be read.
func TestALaterInvalidLineKeepsTheEarlierValueFromBeingWritten(t *testing.T) {
	for _, snapshot := range []bool{false, true} {
		fake := newFake(t)
		fake.AddStock(wt.Stock{SKU: "A", Provider: "erp_main", Location: "110", Stock: 1500, IsActive: true})
		rep, err := newSyncer(t, fake.Client(), stocksync.Options{Snapshot: snapshot}).
			Sync(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,5\nA,erp_main,110,1.500\n")))
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"A@erp_main/110[standard]": 1500}, store(t, fake), "snapshot %v", snapshot)
		assert.Equal(t, 0, rep.Updated, "snapshot %v", snapshot)
		assert.Equal(t, 1, rep.InvalidRows, "snapshot %v", snapshot)
	}
}

// A line with more fields than the header (a SKU with the delimiter in it, unquoted) names
// no key that can be trusted: its fields are shifted. The row it lists is not zeroed,
// neither by a snapshot of the selected providers (the shifted provider is not one of
// them) nor when zeroing despite invalid rows.
func TestASnapshotKeepsTheRowOfALineWithShiftedFields(t *testing.T) {
	for name, opts := range map[string]stocksync.Options{
		"--provider":             {Snapshot: true, Providers: []string{"erp_main"}},
		"--zero-despite-invalid": {Snapshot: true, ZeroDespiteInvalid: true},
	} {
		fake := newFake(t)
		for _, sku := range []string{"S0", "S,1", "S2", "S3"} {
			fake.AddStock(wt.Stock{SKU: sku, Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
		}
		in := "sku,provider,location,quantity\nS0,erp_main,110,5\nS,1,erp_main,110,5\nS2,erp_main,110,5\n"
		rep, err := newSyncer(t, fake.Client(), opts).Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(in)))
		require.NoError(t, err, name)
		assert.Equal(t, int64(5), store(t, fake)[key("S,1", "erp_main", "110", "standard")], "%s: a listed row is never zeroed", name)
		assert.Equal(t, 1, rep.InvalidRows, name)
	}
}
