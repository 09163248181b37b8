package whippywaretest_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/whippyware-go/whippyware/internal/benchsize"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// seedStocks stores n stocks at one location.
func seedStocks(b *testing.B, srv *wt.Server, n int) {
	b.Helper()
	seedProvider(srv, "p", "L")
	for i := range n {
		srv.AddStock(wt.Stock{SKU: fmt.Sprint("SKU-", i), Provider: "p", Location: "L", Stock: int64(i), IsActive: true})
	}
}

// BenchmarkSeed10000Stocks stores 10,000 stocks in a new fake (benchsize.Short under
// -short).
func BenchmarkSeed10000Stocks(b *testing.B) {
	n := benchsize.N(10000)
	for b.Loop() {
		srv := wt.NewServer(wt.WithoutListener())
		seedStocks(b, srv, n)
		srv.Close()
	}
}

// BenchmarkListStocks reads all 10,000 stocks (benchsize.Short under -short), 500 a page,
// from 8 clients at once.
func BenchmarkListStocks(b *testing.B) {
	stocks := benchsize.N(10000)
	pages := (stocks + 499) / 500
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			srv := wt.NewServer(mode.opts...)
			defer srv.Close()
			seedStocks(b, srv, stocks)
			key := connect(b, srv).key
			b.SetParallelism(4) // with GOMAXPROCS 2: 8 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				client := srv.HTTPClient()
				page := 0
				for pb.Next() {
					page = page%pages + 1
					req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/stocks/?limit=500&page=%d", srv.URL, page), nil)
					req.Header.Set("Authorization", "Token "+key)
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}
