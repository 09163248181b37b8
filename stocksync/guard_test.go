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

// A create refused because another run made the row is reported as what it did: an
// update, or nothing when the row was already as asked; the counts add up.
func TestACreateFoundTakenIsAnUpdate(t *testing.T) {
	fake := newFake(t)
	var outcomes []stocksync.Outcome
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1, OnOutcome: func(o stocksync.Outcome) { outcomes = append(outcomes, o) }})
	plan, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,5\nB,erp_main,110,6\nC,erp_main,110,7\n")))
	require.NoError(t, err)
	require.Equal(t, 3, plan.Count(stocksync.Create))
	// Another run creates A (as asked) and B (with other stock) between plan and apply.
	fake.AddStock(wt.Stock{SKU: "A", Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "B", Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
	rep, err := s.Apply(context.Background(), plan)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1}, []int{rep.Created, rep.Updated, rep.Unchanged})
	require.Len(t, outcomes, 2, "the row found as asked is counted, not listed")
	assert.Equal(t, stocksync.Updated, outcomes[0].Result)
	assert.Equal(t, "B", outcomes[0].SKU)
	assert.Equal(t, stocksync.Created, outcomes[1].Result)
	assert.Empty(t, rep.Outcomes, "streamed, not kept")
}

// A length the service refuses is refused without a request with the service's words;
// with a larger limit, the service's refusal is met once and not retried.
func TestLengthsAreRefusedOnEveryRun(t *testing.T) {
	fake := newFake(t)
	in := strings.Repeat("S", 300) + ",erp_main,110,1\n"
	rep := syncCSV(t, fake, in, stocksync.Options{})
	assert.Equal(t, []string{"sku: Ensure this field has no more than 255 characters."}, rep.Outcomes[0].Messages)
	assert.Zero(t, fake.RequestCount("POST", "/api/v1/stocks/"))

	rep = syncCSV(t, fake, in, stocksync.Options{MaxLengths: stocksync.Lengths{SKU: 1000}})
	require.Equal(t, 1, rep.Failed)
	assert.Equal(t, []string{"sku: Ensure this field has no more than 255 characters."}, rep.Outcomes[0].Messages)
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"), "a refusal, not retried")
}

// Options.Providers skips the rows of other providers; their invalid rows too.
func TestPlanSelectsProviders(t *testing.T) {
	fake := newFake(t)
	s := newSyncer(t, fake.Client(), stocksync.Options{Providers: []string{"other"}})
	plan, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,1\nB,other,200,2\nC,erp_main,110,x\n")))
	require.NoError(t, err)
	assert.Equal(t, 2, plan.Skipped)
	assert.Zero(t, plan.InvalidRows)
	require.Equal(t, 1, plan.Len())
	assert.Equal(t, "B", plan.Change(0).Row.SKU)
	assert.Equal(t, 1, fake.RequestCount("GET", "/api/v1/stocks/"), "only other's stock is read")
}

// BeforeRead hears the providers before their stock is read, and can stop the plan.
func TestBeforeReadSeesTheProviders(t *testing.T) {
	fake := newFake(t)
	var got []string
	stop := errors.New("locked")
	s := newSyncer(t, fake.Client(), stocksync.Options{BeforeRead: func(_ context.Context, providers []string) error {
		got = providers
		return stop
	}})
	_, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,other,200,1\nB,erp_main,110,2\n")))
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"erp_main", "other"}, got)
	assert.Zero(t, fake.RequestCount("GET", "/api/v1/stocks/"))
}
