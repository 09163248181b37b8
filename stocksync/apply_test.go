package stocksync_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// planThenApply plans input, lets between change the store, then applies the plan.
func planThenApply(t *testing.T, fake *wt.Server, input string, between func()) *stocksync.Report {
	t.Helper()
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1})
	p, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	between()
	rep, err := s.Apply(context.Background(), p)
	require.NoError(t, err)
	return rep
}

// A create refused because the row exists (another run made it after the plan) is told
// by its field, non_field_errors, in whatever language the service speaks, and confirmed
// by a lookup: the row is then updated.
func TestApplyUpdatesARowACreateFoundTaken(t *testing.T) {
	for _, body := range []string{
		"", // the fake's own refusal, in DRF's English
		`{"non_field_errors": ["sku, provider, location, stock_type alanları benzersiz bir küme oluşturmalıdır."]}`,
	} {
		fake := newFake(t)
		rep := planThenApply(t, fake, "A,erp_main,110,7\n", func() {
			fake.AddStock(wt.Stock{SKU: "A", Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
			if body != "" {
				fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusBadRequest, Body: body})
			}
		})
		assert.True(t, rep.OK(), "%v", rep)
		assert.Equal(t, map[string]int64{key("A", "erp_main", "110", "standard"): 7}, store(t, fake))
		assert.Equal(t, 1, fake.RequestCount("PATCH", "/api/v1/stocks/*"))
	}
}

// A refusal that names no field but is not about the key (the lookup finds no row) fails
// the row with the service's message, and is not sent again.
func TestApplyFailsARefusalTheLookupDoesNotConfirm(t *testing.T) {
	fake := newFake(t)
	rep := planThenApply(t, fake, "A,erp_main,110,7\n", func() {
		fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusBadRequest,
			Body: `{"non_field_errors": ["Stok kilitli."]}`})
	})
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, stocksync.Failed, rep.Outcomes[0].Result)
	assert.Equal(t, []string{"Stok kilitli."}, rep.Outcomes[0].Messages)
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"), "a refusal is not a retry")
	assert.Empty(t, store(t, fake))
}

// A refusal of a field is the row's failure at once: no lookup.
func TestApplyFailsAFieldRefusalWithoutALookup(t *testing.T) {
	fake := newFake(t)
	rep := planThenApply(t, fake, "A,erp_main,110,7\n", func() {
		fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusBadRequest,
			Body: `{"sku": ["Ensure this field has no more than 255 characters."]}`})
	})
	assert.Equal(t, stocksync.Failed, rep.Outcomes[0].Result)
	assert.Equal(t, []string{"sku: Ensure this field has no more than 255 characters."}, rep.Outcomes[0].Messages)
	assert.Equal(t, 1, stockRequests(fake)-1, "the plan's read, and the create")
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

// The lookup after a lost answer has a budget of its own: a 503 on the lookup costs the
// send no attempt, so that with two attempts a create whose answer was lost, then a
// lookup that failed once, still ends with the row found and done.
func TestApplyLookupsHaveABudgetOfTheirOwn(t *testing.T) {
	fake := newFake(t)
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1, MaxAttempts: 2})
	p, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,7\n")))
	require.NoError(t, err)
	fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Drop: wt.DropAfter})
	fake.FailNext(1, wt.Fault{Method: "GET", Path: "/api/v1/stocks/", Status: http.StatusServiceUnavailable})
	rep, err := s.Apply(context.Background(), p)
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, stocksync.Created, rep.Outcomes[0].Result, "%v", rep.Outcomes[0])
	assert.Equal(t, map[string]int64{key("A", "erp_main", "110", "standard"): 7}, store(t, fake))
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"), "the create was not sent again")
	assert.Equal(t, 1+2, fake.RequestCount("GET", "/api/v1/stocks/"), "the plan's page, two lookups")
}

// A create whose answer was lost is looked up; a lookup that a service answers with other
// rows only (it ignored the sku filter) cannot tell that the row is not there, so the
// create is not sent again on its word: the row fails, saying why, and a rerun (which
// reads the pages) finishes it.
func TestApplyDoesNotResendACreateOnALookupThatIgnoredItsFilter(t *testing.T) {
	fake := newFake(t)
	fake.AddStock(wt.Stock{SKU: "OTHER", Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1})
	p, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,7\n")))
	require.NoError(t, err)
	fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Drop: wt.DropAfter})
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.Method == http.MethodGet && r.URL.Query().Get("sku") != "" {
			return &wt.Fault{Status: http.StatusOK, Body: `{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "sku": "OTHER", "provider": "erp_main", "location": "110", "stock_type": "standard", "stock": 1}]}`}
		}
		return nil
	})
	rep, err := s.Apply(context.Background(), p)
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, stocksync.Failed, rep.Outcomes[0].Result)
	assert.Equal(t, []string{"cannot tell whether the row exists: the service ignored a lookup's filter"}, rep.Outcomes[0].Messages)
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"), "the create was not sent again")
	assert.Equal(t, int64(7), store(t, fake)[key("A", "erp_main", "110", "standard")], "the lost answer's create was applied")
}

// An update whose row was deleted after the plan creates it again, and says so: the
// report counts a create, as the store's history shows one.
func TestApplyCountsARowDeletedMeanwhileAsCreated(t *testing.T) {
	fake := newFake(t)
	gone := fake.AddStock(wt.Stock{SKU: "A", Provider: "erp_main", Location: "110", Stock: 5, IsActive: true})
	rep := planThenApply(t, fake, "A,erp_main,110,7\n", func() {
		_, err := fake.Client().Stocks.Delete(context.Background(), gone.ID)
		require.NoError(t, err)
	})
	assert.True(t, rep.OK(), "%v", rep)
	assert.Equal(t, []int{1, 0}, []int{rep.Created, rep.Updated})
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, stocksync.Created, rep.Outcomes[0].Result)
	assert.NotEqual(t, gone.ID, rep.Outcomes[0].ID, "the new row's id")
	assert.Equal(t, map[string]int64{key("A", "erp_main", "110", "standard"): 7}, store(t, fake))
}

// A create whose last send lost its answer is looked up before the row is given up: the
// service applied it, so the row is created, not failed.
func TestApplyLooksUpTheLastLostCreateBeforeGivingUp(t *testing.T) {
	fake := newFake(t)
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1, MaxAttempts: 2})
	p, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("A,erp_main,110,7\n")))
	require.NoError(t, err)
	fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Drop: wt.DropBefore})
	fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Drop: wt.DropAfter})
	rep, err := s.Apply(context.Background(), p)
	require.NoError(t, err)
	require.Len(t, rep.Outcomes, 1)
	assert.Equal(t, stocksync.Created, rep.Outcomes[0].Result, "%v", rep.Outcomes[0])
	assert.True(t, rep.OK(), "%v", rep)
	assert.Equal(t, map[string]int64{key("A", "erp_main", "110", "standard"): 7}, store(t, fake))
	assert.Equal(t, 2, fake.RequestCount("POST", "/api/v1/stocks/"))
}
