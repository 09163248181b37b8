package stocksync_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/internal/benchsize"
	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The benchmark: 100,000 current rows (one provider, 10 locations of 10,000 SKUs),
// and an input of 100,000 rows of which 1% change and 0.5% are new, written with the same
// workers by stocksync and by the old example's per-row approach.
// Under -short (CI's one-iteration smoke run) the data is benchsize.Short rows, so that a
// broken benchmark still fails CI without the minutes the full size takes.
const (
	benchLocations = 10
	benchWorkers   = 8
)

// benchCurrent is the number of current rows: 100,000, or fewer under -short.
func benchCurrent() int { return benchsize.N(100_000) }

// benchChanged is the number of rows whose quantity the input changes: 1%.
func benchChanged() int { return benchCurrent() / 100 }

// benchStore seeds the fake with the current rows: SKU-i at location L(i%10), quantity 10.
func benchStore(fake *wt.Server) {
	erp := fake.AddProvider(wt.Provider{Name: "ERP main", Code: "erp_main", IsActive: true})
	for l := range benchLocations {
		code := fmt.Sprintf("L%d", l)
		fake.AddStockLocation(wt.StockLocation{Name: code, Code: code, Provider: erp.ID, IsActive: true})
	}
	for i := range benchCurrent() {
		fake.AddStock(wt.Stock{SKU: fmt.Sprintf("SKU-%06d", i), Provider: "erp_main", Location: fmt.Sprintf("L%d", i%benchLocations), Stock: 10, IsActive: true})
	}
}

// benchInput is the desired rows: all but the last 0.5% of the current rows (99,500 of
// 100,000), 1% of them (every 99th) with a new quantity, and 0.5% new SKUs.
func benchInput() []stocksync.Row {
	fresh := benchCurrent() / 200
	kept := benchCurrent() - fresh
	rows := make([]stocksync.Row, 0, kept+fresh)
	for i := range kept {
		q := int64(10)
		if i%99 == 0 && i/99 < benchChanged() {
			q = 11
		}
		rows = append(rows, stocksync.Row{Line: i + 1, Key: stocksync.Key{SKU: fmt.Sprintf("SKU-%06d", i), Provider: "erp_main",
			Location: fmt.Sprintf("L%d", i%benchLocations), StockType: "standard"}, Quantity: q})
	}
	for i := range fresh {
		rows = append(rows, stocksync.Row{Line: kept + i + 1, Key: stocksync.Key{SKU: fmt.Sprintf("NEW-%06d", i), Provider: "erp_main",
			Location: fmt.Sprintf("L%d", i%benchLocations), StockType: "standard"}, Quantity: 1})
	}
	return rows
}

// peakHeap samples the live heap every millisecond until stop is called, and returns the
// highest sample above the heap when it started (after a GC).
func peakHeap() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak - base
	}
}

// peakLive samples the live heap right after a forced GC every 20ms until stop is called,
// and returns the largest growth over the heap at the start: what the run holds on to, not
// the garbage the collector lets pile up between cycles. The forced GCs slow the run, so
// it has a benchmark of its own.
func peakLive() (stop func() uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak - base
	}
}

// BenchmarkSync100kLiveHeap runs the stocksync side of BenchmarkSync100k and reports the
// peak live heap above the seeded fake (input rows excluded: they are built before), for the
// whole run and for the plan alone. The whole run includes the fake's own growth: its table
// of stocks is a slice, and the 500 creates make it grow its backing array.
func BenchmarkSync100kLiveHeap(b *testing.B) {
	input := benchInput()
	for range b.N {
		fake, client, _ := benchFake(b, wt.WithRequestLogLimit(1))
		s := newSyncer(b, client, stocksync.Options{Workers: benchWorkers})
		stop := peakLive()
		stopPlan := peakLive()
		b.StartTimer()
		plan, err := s.Plan(context.Background(), rows(input...))
		if err != nil {
			b.Fatal(err)
		}
		planPeak := stopPlan()
		rep, err := s.Apply(context.Background(), plan)
		b.StopTimer()
		peak := stop()
		if err != nil || !rep.OK() {
			b.Fatalf("%v: %v", err, rep)
		}
		b.ReportMetric(float64(peak), "peak-live-B/op")
		b.ReportMetric(float64(planPeak), "plan-peak-live-B/op")
		b.ReportMetric(float64(planPeak)/float64(len(input)), "plan-peak-live-B/input-row")
		fake.Close()
	}
}

// BenchmarkSync100k compares stocksync with the per-row approach on the data. It
// reports requests and the peak heap above the seeded fake (fake included: it runs in
// process and builds every page it serves).
func BenchmarkSync100k(b *testing.B) {
	input := benchInput()
	b.Run("stocksync", func(b *testing.B) {
		for range b.N {
			fake, client, counter := benchFake(b, wt.WithRequestLogLimit(1))
			s := newSyncer(b, client, stocksync.Options{Workers: benchWorkers})
			stop := peakHeap()
			b.StartTimer()
			rep, err := s.Sync(context.Background(), rows(input...))
			b.StopTimer()
			peak := stop()
			if err != nil || !rep.OK() || rep.Created != benchCurrent()/200 || rep.Updated != benchChanged() {
				b.Fatalf("%v: %v", err, rep)
			}
			b.ReportMetric(float64(counter.n.Load()), "requests/op")
			b.ReportMetric(float64(rep.Requests), "reported-requests/op")
			b.ReportMetric(float64(peak), "peak-heap-B/op")
			fake.Close()
		}
	})
	b.Run("per-row", func(b *testing.B) {
		for range b.N {
			fake, client, counter := benchFake(b, wt.WithRequestLogLimit(1))
			stop := peakHeap()
			b.StartTimer()
			failed := perRow(context.Background(), client, input, benchWorkers)
			b.StopTimer()
			peak := stop()
			if failed > 0 {
				b.Fatalf("%d rows failed", failed)
			}
			b.ReportMetric(float64(counter.n.Load()), "requests/op")
			b.ReportMetric(float64(peak), "peak-heap-B/op")
			fake.Close()
		}
	})
}

// benchFake seeds a fake with the current rows and returns a logged-in client whose
// requests are counted at its transport: attempts included, and without the fake's request
// log, which keeps every request (600 B each) unless limited, and would weigh in the heap.
func benchFake(b *testing.B, opts ...wt.Option) (*wt.Server, *whippyware.Client, *countingTransport) {
	b.StopTimer()
	fake := wt.NewServer(append([]wt.Option{wt.WithoutListener()}, opts...)...)
	benchStore(fake)
	counter := &countingTransport{next: fake.HTTPClient().Transport}
	client := fake.Client(whippyware.WithHTTPClient(&http.Client{Transport: counter,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}))
	if _, err := client.Auth.Login(context.Background()); err != nil {
		b.Fatal(err)
	}
	counter.n.Store(0)
	return fake, client, counter
}

// countingTransport counts the requests sent through it.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(r)
}

// perRow is the old example's approach, kept here as the baseline: for each row a GET of
// the first row matching sku, provider and location, then a PATCH of it or a POST.
func perRow(ctx context.Context, c *whippyware.Client, rows []stocksync.Row, workers int) (failed int) {
	jobs := make(chan stocksync.Row)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				if err := writeRowPerRow(ctx, c, r); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	for _, r := range rows {
		jobs <- r
	}
	close(jobs)
	wg.Wait()
	return failed
}

func writeRowPerRow(ctx context.Context, c *whippyware.Client, r stocksync.Row) error {
	page, _, err := c.Stocks.List(ctx, &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 1}, SKU: r.SKU, Provider: r.Provider, Location: r.Location,
	})
	if err != nil {
		return err
	}
	if len(page.Results) > 0 {
		_, _, err = c.Stocks.Update(ctx, page.Results[0].ID, &whippyware.StockUpdateRequest{Stock: whippyware.Ptr(r.Quantity)})
		return err
	}
	_, _, err = c.Stocks.Create(ctx, &whippyware.StockCreateRequest{SKU: r.SKU, Provider: r.Provider, Location: whippyware.StringOrNumber(r.Location), Stock: r.Quantity})
	return err
}

// BenchmarkSync100kUnderFaults runs the same sync with 10% of stock requests answered 503
// and 2% dropped (half before, half after the request took effect), then reruns it once if
// rows are left, and checks the store against the input. It reports the runs it took, the
// rows that differ from the input, and duplicate keys; the last two must be 0.
func BenchmarkSync100kUnderFaults(b *testing.B) {
	input := benchInput()
	for _, seed := range []uint64{1, 2, 3} {
		b.Run(fmt.Sprintf("seed=%d", seed), func(b *testing.B) {
			for range b.N {
				syncUnderFaults(b, input, seed)
			}
		})
	}
}

func syncUnderFaults(b *testing.B, input []stocksync.Row, seed uint64) {
	fake, client, counter := benchFake(b)
	defer fake.Close()
	injectFaults(fake, seed, 0.10, 0.01, 0.01)
	s := newSyncer(b, client, stocksync.Options{Workers: benchWorkers})
	b.StartTimer()
	runs := 0
	var rep *stocksync.Report
	for runs < 2 && (rep == nil || !rep.OK()) {
		runs++
		var err error
		if rep, err = s.Sync(context.Background(), rows(input...)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Failed), fmt.Sprintf("failed-run%d/op", runs))
	}
	b.StopTimer()
	var status503, dropBefore, dropAfterWrite int
	for _, r := range fake.Requests() {
		switch {
		case r.Faulted && r.Status == http.StatusServiceUnavailable:
			status503++
		case r.Dropped && r.Status == 0:
			dropBefore++
		case r.Dropped && r.Method != http.MethodGet:
			dropAfterWrite++ // a write applied whose answer was lost
		}
	}
	differ, dups := compareStore(fake, input)
	b.ReportMetric(float64(counter.n.Load()), "requests/op")
	b.ReportMetric(float64(runs), "runs/op")
	b.ReportMetric(float64(status503), "503s/op")
	b.ReportMetric(float64(dropBefore), "drops-before/op")
	b.ReportMetric(float64(dropAfterWrite), "writes-applied-answer-lost/op")
	b.ReportMetric(float64(differ), "rows-differing/op")
	b.ReportMetric(float64(dups), "duplicates/op")
	if differ > 0 || dups > 0 {
		b.Errorf("store differs from the input in %d rows, %d duplicates", differ, dups)
	}
}

// compareStore counts input rows the store does not hold as asked, and duplicate keys.
func compareStore(fake *wt.Server, input []stocksync.Row) (differ, dups int) {
	held := map[stocksync.Key]int64{}
	for _, st := range fake.Stocks() {
		k := stocksync.Key{SKU: st.SKU, Provider: st.Provider, Location: st.Location, StockType: st.StockType}
		if _, ok := held[k]; ok {
			dups++
		}
		held[k] = st.Stock
	}
	for _, r := range input {
		if q, ok := held[r.Key]; !ok || q != r.Quantity {
			differ++
		}
	}
	return differ, dups
}
