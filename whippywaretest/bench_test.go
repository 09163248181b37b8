package whippywaretest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/whippyware-go/whippyware"
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

// BenchmarkListStocks reads all 10,000 stocks (benchsize.Short under -short), 500 or 20 a
// page, from 8 plain net/http clients at once: the fake's own speed, with as little client
// as there can be on the same cores. req/s is pages a second.
func BenchmarkListStocks(b *testing.B) {
	stocks := benchsize.N(10000)
	for _, mode := range modes {
		for _, limit := range []int{500, 20} {
			b.Run(fmt.Sprintf("%s/%d", mode.name, limit), func(b *testing.B) {
				srv := wt.NewServer(mode.opts...)
				defer srv.Close()
				seedStocks(b, srv, stocks)
				key := connect(b, srv).key
				pages := (stocks + limit - 1) / limit
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 clients
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					client := srv.HTTPClient()
					page := 0
					for pb.Next() {
						page = page%pages + 1
						req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/stocks/?limit=%d&page=%d", srv.URL, limit, page), nil)
						if !roundTrip(b, client, req, key, http.StatusOK) {
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			})
		}
	}
}

// roundTrip sends req with the key and reads the whole answer, reporting whether it came with
// the status wanted.
func roundTrip(b *testing.B, client *http.Client, req *http.Request, key string, want int) bool {
	req.Header.Set("Authorization", "Token "+key)
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		b.Errorf("status %d, want %d", res.StatusCode, want)
		return false
	}
	return true
}

// BenchmarkCreateStocks posts stocks, each with a new SKU, from 8 plain net/http clients at
// once: the fake's own speed at creating records, with as little client as there can be on
// the same cores. req/s is creates a second.
func BenchmarkCreateStocks(b *testing.B) {
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			srv := wt.NewServer(mode.opts...)
			defer srv.Close()
			seedStocks(b, srv, 0)
			key := connect(b, srv).key
			var seq atomic.Int64
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				client := srv.HTTPClient()
				for pb.Next() {
					body := `{"sku":"NEW-` + strconv.FormatInt(seq.Add(1), 10) + `","provider":"p","location":"L","stock":5}`
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/stocks/", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if !roundTrip(b, client, req, key, http.StatusCreated) {
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkSDK measures the fake as a user's test suite meets it: 8 goroutines sharing one SDK
// client (srv.Client), on the same cores as the fake, in process and over loopback. create
// posts a stock with a new SKU each time, to a fake that keeps every request in its log (the
// default); list20 reads pages of 20 of 10,000 stocks, page 1 to 500 in turn. req/s is calls
// a second. Over loopback the client keeps 8 idle connections, one per goroutine, so that the
// benchmark measures requests, not connection setup.
func BenchmarkSDK(b *testing.B) {
	ctx := context.Background()
	for _, op := range []struct {
		name   string
		stocks int
		call   func(c *whippyware.Client, n int64) error
	}{
		{"create", 0, func(c *whippyware.Client, n int64) error {
			_, _, err := c.Stocks.Create(ctx, &whippyware.StockCreateRequest{
				SKU: "NEW-" + strconv.FormatInt(n, 10), Provider: "p", Location: "L", Stock: 5})
			return err
		}},
		{"list20", 10000, func(c *whippyware.Client, n int64) error {
			p, _, err := c.Stocks.List(ctx, &whippyware.StockFilter{
				ListOptions: whippyware.ListOptions{Page: int(n%500) + 1, Limit: 20}})
			if err == nil && len(p.Results) != 20 {
				err = fmt.Errorf("page of %d stocks, want 20", len(p.Results))
			}
			return err
		}},
	} {
		for _, mode := range modes {
			b.Run(op.name+"/"+mode.name, func(b *testing.B) {
				srv := wt.NewServer(mode.opts...)
				defer srv.Close()
				seedStocks(b, srv, op.stocks)
				hc := srv.HTTPClient()
				if t, ok := hc.Transport.(*http.Transport); ok {
					t = t.Clone()
					t.MaxIdleConnsPerHost = 8
					hc.Transport = t
					defer t.CloseIdleConnections()
				}
				client := srv.Client(whippyware.WithHTTPClient(hc))
				if _, err := client.Auth.Login(ctx); err != nil {
					b.Fatal(err)
				}
				var seq atomic.Int64
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := op.call(client, seq.Add(1)); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			})
		}
	}
}
