package stocksync_test

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newFake starts an in-process fake with provider erp_main (locations 110 and 112) and
// provider other (location 200).
func newFake(t testing.TB, opts ...wt.Option) *wt.Server {
	t.Helper()
	fake := wt.NewTestServer(t, append([]wt.Option{wt.WithoutListener()}, opts...)...)
	seedProviders(fake)
	return fake
}

func seedProviders(fake *wt.Server) {
	erp := fake.AddProvider(wt.Provider{Name: "ERP main", Code: "erp_main", IsActive: true})
	other := fake.AddProvider(wt.Provider{Name: "Other", Code: "other", IsActive: true})
	for _, code := range []string{"110", "112"} {
		fake.AddStockLocation(wt.StockLocation{Name: code, Code: code, Provider: erp.ID, IsActive: true})
	}
	fake.AddStockLocation(wt.StockLocation{Name: "200", Code: "200", Provider: other.ID, IsActive: true})
}

func newSyncer(t testing.TB, client *whippyware.Client, opts stocksync.Options) *stocksync.Syncer {
	t.Helper()
	s, err := stocksync.New(client, opts)
	require.NoError(t, err)
	return s
}

func syncCSV(t testing.TB, fake *wt.Server, csv string, opts stocksync.Options) *stocksync.Report {
	t.Helper()
	rep, err := newSyncer(t, fake.Client(), opts).Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(csv)))
	require.NoError(t, err)
	return rep
}

// rows yields the given rows, as a program that builds them in memory would.
func rows(rs ...stocksync.Row) iter.Seq2[stocksync.Row, error] {
	return func(yield func(stocksync.Row, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// store maps "sku@provider/location[type]" to the quantity, and fails the test on a
// duplicate key: the service's unique set, checked on the fake's store.
func store(t testing.TB, fake *wt.Server) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, st := range fake.Stocks() {
		k := stocksync.Key{SKU: st.SKU, Provider: st.Provider, Location: st.Location, StockType: st.StockType}.String()
		_, dup := out[k]
		assert.False(t, dup, "duplicate row %s", k)
		out[k] = st.Stock
	}
	return out
}

func key(sku, provider, location, stockType string) string {
	return stocksync.Key{SKU: sku, Provider: provider, Location: location, StockType: stockType}.String()
}

// results maps each outcome's key to its result, for rows with a key.
func results(rep *stocksync.Report) map[string]stocksync.Result {
	out := map[string]stocksync.Result{}
	for _, o := range rep.Outcomes {
		out[o.Key.String()] = o.Result
	}
	return out
}

// stockRequests counts the requests the fake saw on stocks/ (login excluded).
func stockRequests(fake *wt.Server) int { return fake.RequestCount("", "/api/v1/stocks/*") }

// seedStocks adds n standard rows SKU-0000.. at erp_main/110 with quantity 10.
func seedStocks(fake *wt.Server, n int) {
	for i := range n {
		fake.AddStock(wt.Stock{SKU: fmt.Sprintf("SKU-%04d", i), Provider: "erp_main", Location: "110", Stock: 10, IsActive: true})
	}
}

// desiredCSV is the CSV of n rows SKU-0000.. at erp_main/110, quantity q(i).
func desiredCSV(n int, q func(i int) int) string {
	var b strings.Builder
	b.WriteString("sku,provider,location,quantity\n")
	for i := range n {
		fmt.Fprintf(&b, "SKU-%04d,erp_main,110,%d\n", i, q(i))
	}
	return b.String()
}

// injectFaults answers the given shares of requests on stocks/ with a 503, a connection
// dropped before the request took effect, and one dropped after, drawn from a seeded
// source so that a run can be repeated.
func injectFaults(fake *wt.Server, seed uint64, p503, pDropBefore, pDropAfter float64) {
	rng := rand.New(rand.NewPCG(seed, seed))
	var mu sync.Mutex
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/stocks") {
			return nil
		}
		mu.Lock()
		p := rng.Float64()
		mu.Unlock()
		switch {
		case p < p503:
			return &wt.Fault{Status: http.StatusServiceUnavailable}
		case p < p503+pDropBefore:
			return &wt.Fault{Drop: wt.DropBefore}
		case p < p503+pDropBefore+pDropAfter:
			return &wt.Fault{Drop: wt.DropAfter}
		}
		return nil
	})
}
