package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/internal/benchsize"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// BenchmarkStocksListJSON measures what printing only on success costs: "stocks list -o
// json" holds the whole output until the last page is read. Each round runs the command and,
// as the baseline, the same pages (the same page size) read through the SDK's iterator
// alone, against the same
// in-process fake (which both pay for), and reports the command's wall time and allocated
// bytes as ratios of the baseline's, and the bytes of output a row holds in memory.
func BenchmarkStocksListJSON(b *testing.B) {
	rows := benchsize.N(20_000)
	fake := wt.NewTestServer(b, wt.WithRequestLogLimit(1))
	erp := fake.AddProvider(wt.Provider{Name: "ERP", Code: "erp_main", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "300", Code: "300", Provider: erp.ID, IsActive: true})
	for i := range rows {
		fake.AddStock(wt.Stock{SKU: fmt.Sprintf("SKU-%06d", i), Provider: "erp_main", Location: "300", Stock: 10, IsActive: true})
	}
	env := map[string]string{envURL: fake.URL, envUsername: wt.DefaultUsername, envPassword: wt.DefaultPassword}
	measure := func(f func()) (time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		f()
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		return elapsed, after.TotalAlloc - before.TotalAlloc
	}
	var cmdTime, baseTime time.Duration
	var cmdBytes, baseBytes uint64
	var out countingWriter
	b.ResetTimer()
	for range b.N {
		d, n := measure(func() {
			out = 0
			if code := run(context.Background(), []string{"stocks", "list", "-o", "json"}, func(k string) string { return env[k] },
				strings.NewReader(""), &out, io.Discard); code != exitOK {
				b.Fatalf("exit %d", code)
			}
		})
		cmdTime, cmdBytes = cmdTime+d, cmdBytes+n
		d, n = measure(func() {
			seen := 0
			for _, err := range fake.Client().Stocks.All(context.Background(), &whippyware.StockFilter{ListOptions: listPage}) {
				if err != nil {
					b.Fatal(err)
				}
				seen++
			}
			if seen != rows {
				b.Fatalf("read %d rows, want %d", seen, rows)
			}
		})
		baseTime, baseBytes = baseTime+d, baseBytes+n
	}
	b.ReportMetric(float64(cmdTime)/float64(baseTime), "time-vs-iterating")
	b.ReportMetric(float64(cmdBytes)/float64(baseBytes), "alloc-vs-iterating")
	b.ReportMetric(float64(out)/float64(rows), "output-B/row")
}

// countingWriter counts the bytes written to it.
type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
