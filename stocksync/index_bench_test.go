package stocksync

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/whippyware-go/whippyware/internal/benchsize"
)

// BenchmarkIndexBytesPerRow measures the live heap the desired-state index keeps per row,
// SKU strings included, for 100,000 rows like the input (SKUs of 10 characters,
// one provider, 10 locations, the default stock type), after a GC.
func BenchmarkIndexBytesPerRow(b *testing.B) {
	n := benchsize.N(100_000)
	locations := make([]string, 10)
	for i := range locations {
		locations[i] = fmt.Sprintf("L%d", i)
	}
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix := newIndex()
		for i := range n {
			// A fresh SKU string per row, as a streamed input (a CSV) hands over.
			ix.add(Row{Key: Key{SKU: fmt.Sprintf("SKU-%06d", i), Provider: "erp_main", Location: locations[i%10], StockType: DefaultStockType}, Quantity: 10})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heap-B/row")
		runtime.KeepAlive(ix)
	}
}
