package stocksync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// plan plans input against fake with opts, and checks the plan's request count against the
// requests the fake saw on stocks/.
func plan(t *testing.T, fake *wt.Server, input string, opts stocksync.Options) *stocksync.Plan {
	t.Helper()
	before := stockRequests(fake)
	p, err := newSyncer(t, fake.Client(), opts).Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	assert.Equal(t, stockRequests(fake)-before, p.Requests, "the plan counts every request it sent")
	return p
}

// changedCSV is the CSV of the rows SKU-i for each i in skus, at erp_main/110, quantity 11.
func changedCSV(skus ...int) string {
	var b strings.Builder
	b.WriteString("sku,provider,location,quantity\n")
	for _, i := range skus {
		fmt.Fprintf(&b, "SKU-%04d,erp_main,110,11\n", i)
	}
	return b.String()
}

// A few changed rows against many pages: the first page, then one lookup per key it did
// not hold, and the plan says so.
func TestPlanLooksUpAFewKeysInsteadOfReadingEveryPage(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 2500) // 25 pages of 100
	p := plan(t, fake, changedCSV(5, 700, 1500, 2499)+"NEW,erp_main,110,1\n", stocksync.Options{PageSize: 100})
	assert.Equal(t, 1+4, p.Requests, "page 1 holds SKU-0005; 3 lookups and one for the new row")
	require.Len(t, p.Reads, 1)
	assert.Equal(t, stocksync.Read{Provider: "erp_main", Mode: stocksync.ReadLookups, Pages: 25,
		Reason: "looking up 4 keys costs fewer requests than reading the 24 other pages (about 2500 rows)"}, p.Reads[0])
	assert.Equal(t, 4, p.Count(stocksync.Update))
	assert.Equal(t, 1, p.Count(stocksync.Create))
	for _, r := range fake.Requests() {
		if strings.Contains(r.Query, "sku=") {
			assert.Contains(t, r.Query, "stock_type=standard", "a lookup names all four fields")
		}
	}
	rep, err := newSyncer(t, fake.Client(), stocksync.Options{}).Apply(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Updated)
	assert.Equal(t, int64(11), store(t, fake)[key("SKU-2499", "erp_main", "110", "standard")])
}

// As many keys to look up as pages to read: the pages.
func TestPlanReadsThePagesWhenThatCostsFewerRequests(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 500) // 5 pages of 100
	p := plan(t, fake, changedCSV(100, 200, 300, 400), stocksync.Options{PageSize: 100})
	assert.Equal(t, 5, p.Requests)
	require.Len(t, p.Reads, 1)
	assert.Equal(t, stocksync.ReadPages, p.Reads[0].Mode)
	assert.Equal(t, "reading the 4 other pages (about 500 rows) costs no more requests than looking up 4 keys", p.Reads[0].Reason)
	assert.Equal(t, 4, p.Count(stocksync.Update))
}

// A snapshot must see every row, whatever the input.
func TestPlanSnapshotReadsEveryPage(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 500)
	p := plan(t, fake, changedCSV(1), stocksync.Options{PageSize: 100, Snapshot: true})
	assert.Equal(t, 5, p.Requests)
	assert.Equal(t, "a snapshot needs every row: 5 pages of about 500 rows", p.Reads[0].Reason)
	assert.Equal(t, 499, p.Count(stocksync.Zero))
}

// A service that ignores the sku filter answers a lookup with other rows: the plan reads
// every page instead, and plans each row once.
func TestPlanFallsBackToThePagesWhenALookupFilterIsIgnored(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 500)
	page, _, err := fake.Client().Stocks.List(context.Background(), &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 3}})
	require.NoError(t, err)
	page.Next = ""
	ignored, err := json.Marshal(page)
	require.NoError(t, err)
	var lookups atomic.Int64
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.URL.Query().Get("sku") == "" {
			return nil
		}
		// The second lookup answers as if sku were ignored; the first found its row.
		if lookups.Add(1) == 1 {
			return nil
		}
		return &wt.Fault{Status: http.StatusOK, Body: string(ignored)}
	})
	p := plan(t, fake, changedCSV(200, 300), stocksync.Options{PageSize: 100, Workers: 1})
	require.Len(t, p.Reads, 1)
	assert.Equal(t, stocksync.ReadPages, p.Reads[0].Mode)
	assert.Equal(t, "the service ignored a lookup's filter, so every page is read: 5 pages of about 500 rows", p.Reads[0].Reason)
	assert.Equal(t, 1+2+4, p.Requests, "page 1, two lookups, the four other pages")
	assert.Equal(t, 2, p.Count(stocksync.Update), "each row planned once, found by a lookup or a page")
	assert.Zero(t, p.Count(stocksync.Create), "the ignored filter's rows were not taken as the keys'")
}

// count is an estimate: the links decide where the list ends. Too high, the pages past the
// end are 404 "Invalid page."; too low, the next links of the last page are followed.
func TestPlanReadsToWhereTheLinksEnd(t *testing.T) {
	for _, tc := range []struct {
		name         string
		count, pages int
	}{{"count too high", 900, 9}, {"count too low", 150, 5}} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			seedStocks(fake, 500)
			first, _, err := fake.Client().Stocks.List(context.Background(), &whippyware.StockFilter{
				ListOptions: whippyware.ListOptions{Limit: 100}, Provider: "erp_main"})
			require.NoError(t, err)
			first.Count = tc.count
			body, err := json.Marshal(first)
			require.NoError(t, err)
			fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
				if r.Method == http.MethodGet && r.URL.Query().Get("page") == "" {
					return &wt.Fault{Status: http.StatusOK, Body: string(body)}
				}
				return nil
			})
			p := plan(t, fake, desiredCSV(500, func(int) int { return 11 }), stocksync.Options{PageSize: 100})
			assert.Equal(t, tc.pages, p.Requests)
			assert.Equal(t, 500, p.Count(stocksync.Update), "every row read once")
			assert.Zero(t, p.Count(stocksync.Create))
		})
	}
}

// Only DRF's 404 "Invalid page." ends the read: any other 404 on a later page (a proxy's,
// a route gone) fails the plan, where taking it for the end would have a snapshot zero the
// rows of the pages not read.
func TestPlanFailsOnA404ThatIsNotInvalidPage(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 500)
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.Method == http.MethodGet && r.URL.Query().Get("page") == "3" {
			return &wt.Fault{Status: http.StatusNotFound, Body: `{"detail":"Not found."}`}
		}
		return nil
	})
	input := desiredCSV(100, func(int) int { return 10 }) // lists the first page's rows only
	s := newSyncer(t, fake.Client(), stocksync.Options{PageSize: 100, Snapshot: true, MaxZero: &stocksync.ZeroLimit{Rows: 1000}})
	_, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.ErrorIs(t, err, whippyware.ErrNotFound)
	assert.Equal(t, 0, fake.RequestCount("PATCH", ""), "nothing zeroed")
}

// Pages read at once may overlap when the store changes between them: a row seen twice is
// planned once.
func TestPlanPlansARowSeenOnTwoPagesOnce(t *testing.T) {
	fake := overlappingPages(t)
	p := plan(t, fake, desiredCSV(300, func(int) int { return 11 }), stocksync.Options{PageSize: 100})
	assert.Equal(t, 299, p.Count(stocksync.Update), "SKU-0099 once")
	assert.Equal(t, 1, p.Count(stocksync.Create), "SKU-0199, which page 2 no longer held, is created (and a unique refusal would find it)")
}

// A row seen twice counts once among the rows with stock that the snapshot guard's limit
// is a share of, whether the input lists it or not.
func TestSnapshotGuardCountsARowSeenOnTwoPagesOnce(t *testing.T) {
	for _, listed := range []struct{ from, to int }{{0, 200}, {100, 300}} { // SKU-0099 listed, or zeroed
		var in strings.Builder
		for i := listed.from; i < listed.to; i++ {
			fmt.Fprintf(&in, "SKU-%04d,erp_main,110,10\n", i)
		}
		p := plan(t, overlappingPages(t), in.String(), stocksync.Options{PageSize: 100, Snapshot: true})
		assert.Equal(t, []stocksync.ZeroRefusal{{Provider: "erp_main", Zeroes: 100, Held: 299, Allowed: 29}}, p.Refused,
			"299 rows read, SKU-0199 not (page 2 no longer held it); listed %v", listed)
	}
}

// overlappingPages seeds 300 rows, SKU-0000 to SKU-0299 at 10, and answers page 2 (of 100
// rows) as if a row was added before it between the reads of pages 1 and 2: SKU-0099, the
// last row of page 1, comes again first, and SKU-0199 is on no page read.
func overlappingPages(t *testing.T) *wt.Server {
	t.Helper()
	fake := newFake(t)
	seedStocks(fake, 300)
	second, _, err := fake.Client().Stocks.List(context.Background(), &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 100, Page: 2}, Provider: "erp_main"})
	require.NoError(t, err)
	first, _, err := fake.Client().Stocks.List(context.Background(), &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 100}, Provider: "erp_main"})
	require.NoError(t, err)
	second.Results = append([]*whippyware.Stock{first.Results[99]}, second.Results[:99]...) // the last row of page 1 again
	body, err := json.Marshal(second)
	require.NoError(t, err)
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.URL.Query().Get("page") == "2" {
			return &wt.Fault{Status: http.StatusOK, Body: string(body)}
		}
		return nil
	})
	return fake
}

// A page read that fails is read again, and counted; a 429 slows the reads down. (The
// fake clock: the one answer before the 429 makes a slow rate.)
func TestPlanReadsAFailedPageAgainAndCountsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFake(t)
		seedStocks(fake, 300)
		var failed2, failed3 atomic.Int64
		fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
			switch page := r.URL.Query().Get("page"); {
			case page == "2" && failed2.Add(1) == 1:
				return &wt.Fault{Status: http.StatusServiceUnavailable}
			case page == "3" && failed3.Add(1) == 1:
				return &wt.Fault{Status: http.StatusTooManyRequests}
			}
			return nil
		})
		p := plan(t, fake, desiredCSV(300, func(int) int { return 11 }), stocksync.Options{PageSize: 100})
		assert.Equal(t, 3+2, p.Requests, "three pages, a 503 and a 429 read again")
		assert.Equal(t, 1, p.Throttled)
		assert.Equal(t, 300, p.Count(stocksync.Update))
	})
}

// Pages are read Options.Workers at a time: with 20 ms of latency on each request (the
// fake clock: no machine's load in it), 50 pages take the first page's 20 ms and then
// ⌈49 ÷ 8⌉ = 7 rounds of 20 ms, not 50 × 20 ms.
func TestPlanReadsPagesSeveralAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFake(t)
		seedStocks(fake, 5000)
		fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
			if r.Method == http.MethodGet {
				return &wt.Fault{Latency: 20 * time.Millisecond}
			}
			return nil
		})
		client := fake.Client()
		_, err := client.Auth.Login(context.Background())
		require.NoError(t, err)
		s := newSyncer(t, client, stocksync.Options{PageSize: 100, Workers: 8, Snapshot: true})
		start := time.Now()
		p, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader("SKU-0000,erp_main,110,10\n")))
		require.NoError(t, err)
		assert.Equal(t, 8*20*time.Millisecond, time.Since(start))
		assert.Equal(t, 50, p.Requests)
		assert.Equal(t, 4999, p.Count(stocksync.Zero))
	})
}

// A page with no rows that links to a next one would be followed for ever: the plan
// fails instead.
func TestPlanRefusesAnEmptyPageThatLinksOn(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 10)
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.URL.Path != "/api/v1/stocks/" {
			return nil
		}
		return &wt.Fault{Status: http.StatusOK,
			Body: `{"count": 10, "next": "http://x/api/v1/stocks/?page=2", "previous": null, "results": []}`}
	})
	_, err := newSyncer(t, fake.Client(), stocksync.Options{}).Plan(context.Background(),
		stocksync.ReadCSV(strings.NewReader(changedCSV(1))))
	require.ErrorIs(t, err, whippyware.ErrUnexpectedResponse)
	assert.ErrorContains(t, err, `reading the stock of provider "erp_main": whippyware: unexpected response: page 1 has no results but links to a next page`)
}
