package stocksync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func planText(t *testing.T, s *stocksync.Syncer, input string) string {
	t.Helper()
	plan, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = plan.WriteTo(&out)
	require.NoError(t, err)
	return out.String()
}

// The plan follows the input's order whatever order the index's map iterates in, so a dry
// run prints the same text every time.
func TestPlanIsDeterministicAndFollowsTheInput(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 30)
	input := desiredCSV(60, func(i int) int {
		if i == 5 {
			return 10 // as stored: unchanged
		}
		return 60 - i
	})
	s := newSyncer(t, fake.Client(), stocksync.Options{})
	first := planText(t, s, input)
	for range 5 {
		require.Equal(t, first, planText(t, s, input))
	}
	lines := strings.Split(strings.TrimSpace(first), "\n")
	require.Len(t, lines, 60)
	assert.Equal(t, "update line 2 SKU-0000@erp_main/110[standard] id 1: stock 10 -> 60", lines[0])
	assert.Equal(t, "update line 8 SKU-0006@erp_main/110[standard] id 7: stock 10 -> 54", lines[5])
	assert.Equal(t, "create line 32 SKU-0030@erp_main/110[standard]: stock 30", lines[29])
	assert.Equal(t, "plan: 30 to create, 29 to update, 0 to zero, 1 unchanged, 0 invalid, 0 superseded; read 30 stocks in 1 request", lines[59])
	assert.Empty(t, fake.RequestCount("POST", "/api/v1/stocks/")+fake.RequestCount("PATCH", "/api/v1/stocks/*"), "a plan writes nothing")
}

// The current stock is read per provider at the largest page, narrowed to the location
// when the input names only one; snapshot mode reads the whole provider.
func TestPlanReadsEachProviderOnceAtTheLargestPage(t *testing.T) {
	fake := newFake(t, wt.WithMaxPageSize(1000))
	seedStocks(fake, 2500)
	fake.AddStock(wt.Stock{SKU: "X", Provider: "other", Location: "200", Stock: 1, IsActive: true})
	s := newSyncer(t, fake.Client(), stocksync.Options{})
	// Three keys the first page does not hold cost more than the two other pages.
	text := planText(t, s, "SKU-0001,erp_main,110,10\nX,other,200,1\nY,erp_main,112,1\nZ,erp_main,112,1\nW,erp_main,112,1\n")
	assert.Contains(t, text, "read 2501 stocks in 4 requests")
	assert.Contains(t, text, "read erp_main by pages: reading the 2 other pages (about 2500 rows) costs no more requests than looking up 3 keys\n")
	var queries []url.Values
	for _, r := range fake.Requests() {
		if r.Method == "GET" {
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err)
			queries = append(queries, q)
		}
	}
	require.Len(t, queries, 4)
	assert.Equal(t, url.Values{"limit": {"1000"}, "provider": {"erp_main"}}, queries[0])
	assert.ElementsMatch(t, []string{"2", "3"}, []string{queries[1].Get("page"), queries[2].Get("page")}, "read at once")
	assert.Equal(t, url.Values{"limit": {"1000"}, "provider": {"other"}, "location": {"200"}}, queries[3])
	assert.Equal(t, 4, stockRequests(fake))
}

func TestSyncUpdatesOnlyTheOptionalFieldsGiven(t *testing.T) {
	fake := newFake(t)
	fake.AddStock(wt.Stock{SKU: "A", Provider: "erp_main", Location: "110", Stock: 5, ReservedStock: 1, IsActive: true})
	rep := syncCSV(t, fake, "sku,provider,location,quantity,reserved_stock,unit_type,period\nA,erp_main,110,5,2,pcs,2026-11-02\n", stocksync.Options{})
	assert.Equal(t, 1, rep.Updated)
	st := fake.Stocks()[0]
	assert.Equal(t, int64(2), st.ReservedStock)
	assert.Equal(t, "pcs", st.UnitType)
	require.NotNil(t, st.Period)
	assert.Equal(t, "2026-11-02", *st.Period)
	var body string
	for _, r := range fake.Requests() {
		if r.Method == "PATCH" {
			body = string(r.Body)
		}
	}
	assert.JSONEq(t, `{"reserved_stock": 2, "unit_type": "pcs", "period": "2026-11-02"}`, body)

	// Fields the input leaves out are not compared, so this row is unchanged.
	rep = syncCSV(t, fake, "A,erp_main,110,5\n", stocksync.Options{})
	assert.Equal(t, 1, rep.Unchanged)
}

// An outcome and a row print whole: with the embedded Key alone, %v showed only the key.
func TestOutcomeAndRowPrintWhole(t *testing.T) {
	k := stocksync.Key{SKU: "S1", Provider: "erp", Location: "110", StockType: "standard"}
	o := stocksync.Outcome{Line: 3, Key: k, Result: stocksync.Failed, Messages: []string{"stock: too big"}}
	assert.Equal(t, "line 3 S1@erp/110[standard] failed: stock: too big", fmt.Sprint(o))
	assert.Equal(t, "S1@erp/110[standard] created id 7", fmt.Sprint(stocksync.Outcome{Key: k, Result: stocksync.Created, ID: 7}))
	assert.Equal(t, "line 2 S1@erp/110[standard] = 5", fmt.Sprint(stocksync.Row{Line: 2, Key: k, Quantity: 5}))
}

// A run that wrote nothing reports its outcomes as [], not null, for a reader of the JSON.
func TestReportWithNothingWrittenHasAnEmptyList(t *testing.T) {
	fake := newFake(t)
	rep := syncCSV(t, fake, "", stocksync.Options{})
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"outcomes":[]`)
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
