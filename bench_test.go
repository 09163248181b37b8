package whippyware_test

// Benchmarks of the SDK against hand-written net/http + encoding/json clients (the lean
// and plain baselines of bench_baseline_test.go), on the same fake server. See BENCHMARKS.md for how to run them and for the
// results. Nothing here runs in a plain `go test`: every benchmark needs -bench, and the
// one Test below only serves as the fake's child process of BenchmarkAllStreams.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/internal/benchsize"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// benchLogLimit bounds the fakes' request logs, so that a long run (the paired one
// above all, which shares one fake between the clients) does not make later calls pay
// for the earlier ones.
const benchLogLimit = 10000

// benchSeededStocks is how many stocks the shared benchmark servers hold: 10,000, or
// benchsize.Short under -short (CI's smoke pass).
func benchSeededStocks() int { return benchsize.N(10000) }

// benchEnv is one fake server and the two clients of it, sharing one key.
type benchEnv struct {
	srv      *wt.Server
	sdk      *whippyware.Client
	lean     *benchLean
	plain    benchPlain
	provider int64
}

// benchTransport is how the clients reach the fake: "inprocess" calls its handler with no
// socket (WithoutListener), "loopback" goes over TCP on 127.0.0.1, and "canned" replays the
// in-process fake's answers from memory, so that only the clients' own costs remain.
var benchTransports = []string{"inprocess", "loopback", "canned"}

// newBenchEnv starts a fake for transport, with one provider and location (code "p" and
// "L") and stocks stocks, and logs in once, outside any timer.
func newBenchEnv(tb testing.TB, transport string, stocks int, hc func(*wt.Server) *http.Client, opts ...wt.Option) *benchEnv {
	tb.Helper()
	e, err := seedBenchEnv(transport, stocks, hc, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// seedBenchEnv is newBenchEnv without a testing.TB, for the child process of TestMain.
func seedBenchEnv(transport string, stocks int, hc func(*wt.Server) *http.Client, opts ...wt.Option) (*benchEnv, error) {
	if transport != "loopback" {
		opts = append(opts, wt.WithoutListener())
	}
	srv := wt.NewServer(append(opts, wt.WithMaxPageSize(1000))...)
	p := srv.AddProvider(wt.Provider{Name: "p", Code: "p", IsActive: true})
	srv.AddStockLocation(wt.StockLocation{Name: "L", Code: "L", Provider: p.ID, IsActive: true})
	for i := range stocks {
		srv.AddStock(wt.Stock{SKU: "SKU-" + strconv.Itoa(i), Provider: "p", Location: "L", Stock: int64(i), IsActive: true})
	}
	httpClient := srv.HTTPClient()
	if hc != nil {
		httpClient = hc(srv)
	}
	if transport == "canned" {
		httpClient = &http.Client{Transport: &benchReplay{next: httpClient.Transport, answers: map[string]benchAnswer{}}}
	}
	sdk := srv.Client(whippyware.WithHTTPClient(httpClient))
	if _, err := sdk.Auth.Login(context.Background()); err != nil {
		return nil, err
	}
	lean := newBenchLean(srv.URL, httpClient, sdk.Auth.Key())
	return &benchEnv{srv: srv, sdk: sdk, lean: lean, plain: benchPlain{lean}, provider: p.ID}, nil
}

// benchSeeded starts a fake with benchSeededStocks stocks for one sub-benchmark and closes it
// after. Each sub-benchmark gets its own: the fake keeps every request in its log, so a shared
// one would grow while the benchmarks run and make the later ones pay for the earlier ones.
func benchSeeded(tb testing.TB, transport string) *benchEnv {
	e := newBenchEnv(tb, transport, benchSeededStocks(), nil, wt.WithRequestLogLimit(benchLogLimit))
	tb.Cleanup(e.srv.Close)
	return e
}

// benchAnswer is one recorded answer of the fake.
type benchAnswer struct {
	status int
	header http.Header
	body   []byte
}

// benchReplay answers a request with the fake's recorded answer to the first request of the
// same method, path and query; it asks the fake only the first time. It reads and closes the
// request body, as a transport does.
type benchReplay struct {
	next    http.RoundTripper
	mu      sync.RWMutex
	answers map[string]benchAnswer
}

func (t *benchReplay) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + req.URL.RequestURI()
	t.mu.RLock()
	a, ok := t.answers[key]
	t.mu.RUnlock()
	if !ok {
		resp, err := t.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		a = benchAnswer{status: resp.StatusCode, header: resp.Header, body: body}
		t.mu.Lock()
		t.answers[key] = a
		t.mu.Unlock()
	} else if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		Status: strconv.Itoa(a.status) + " " + http.StatusText(a.status), StatusCode: a.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: req,
	}, nil
}

// benchImpls are the clients compared, in the order of the sub-benchmarks.
var benchImpls = []string{"sdk", "lean", "plain"}

// benchOp is one call made by one client; it fails b (or, in the paired runs, the
// benchmark) on an error or a wrong answer.
type benchOp func(tb testing.TB, e *benchEnv)

// benchCall is one call as each client makes it, and the fake it runs against.
type benchCall struct {
	name string
	env  func(tb testing.TB, transport string) *benchEnv
	ops  map[string]benchOp // by benchImpls
}

// benchCalls are the calls of BENCHMARKS.md: a get, a page of 100, walks of 10,000
// stocks at 100 and 1,000 a page, and a create.
var benchCalls = []benchCall{
	benchGetProvider(), benchListStocks(),
	benchAllStocks("AllStocksBy100", 100), benchAllStocks("AllStocksBy1000", 1000),
	benchCreateStock(),
}

// benchRun runs the call as sub-benchmarks <impl>/<transport>, so that the names differ
// only in impl (see BENCHMARKS.md for benchstat).
func benchRun(b *testing.B, name string) {
	for _, call := range benchCalls {
		if call.name != name {
			continue
		}
		for _, transport := range benchTransports {
			for _, impl := range benchImpls {
				op := call.ops[impl]
				b.Run(impl+"/"+transport, func(b *testing.B) {
					e := call.env(b, transport)
					op(b, e) // a warm-up call: connection, first answer recorded, decoder caches
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						op(b, e)
					}
				})
			}
		}
		return
	}
	b.Fatalf("no call %s", name)
}

var (
	benchSinkProvider      *whippyware.Provider
	benchSinkPage          *whippyware.Page[whippyware.Stock]
	benchSinkStock         *whippyware.Stock
	benchSinkPlainProvider *plainProvider
	benchSinkPlainPage     *plainPage
	benchSinkPlainStock    *plainStock
	benchSinkSum           int64
)

func benchCheck(tb testing.TB, err error) {
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkGetProvider reads one provider: the smallest call, so per-request overhead shows.
func BenchmarkGetProvider(b *testing.B) { benchRun(b, "GetProvider") }

func benchGetProvider() benchCall {
	ctx := context.Background()
	return benchCall{name: "GetProvider", env: benchSeeded, ops: map[string]benchOp{
		"sdk": func(tb testing.TB, e *benchEnv) {
			p, _, err := e.sdk.Providers.Get(ctx, e.provider)
			benchCheck(tb, err)
			benchSinkProvider = p
		},
		"lean": func(tb testing.TB, e *benchEnv) {
			p, err := e.lean.getProvider(ctx, e.provider)
			benchCheck(tb, err)
			benchSinkProvider = p
		},
		"plain": func(tb testing.TB, e *benchEnv) {
			p, err := e.plain.getProvider(ctx, e.provider)
			benchCheck(tb, err)
			benchSinkPlainProvider = p
		},
	}}
}

// BenchmarkListStocks reads one page of 100 stocks.
func BenchmarkListStocks(b *testing.B) { benchRun(b, "ListStocks") }

func benchListStocks() benchCall {
	ctx := context.Background()
	opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 100}}
	return benchCall{name: "ListStocks", env: benchSeeded, ops: map[string]benchOp{
		"sdk": func(tb testing.TB, e *benchEnv) {
			p, _, err := e.sdk.Stocks.List(ctx, opts)
			benchCheck(tb, err)
			benchCheckCount(tb, len(p.Results), 100)
			benchSinkPage = p
		},
		"lean": func(tb testing.TB, e *benchEnv) {
			p, err := e.lean.listStocks(ctx, 100, 1)
			benchCheck(tb, err)
			benchCheckCount(tb, len(p.Results), 100)
			benchSinkPage = p
		},
		"plain": func(tb testing.TB, e *benchEnv) {
			p, err := e.plain.listStocks(ctx, 100, 1)
			benchCheck(tb, err)
			benchCheckCount(tb, len(p.Results), 100)
			benchSinkPlainPage = p
		},
	}}
}

func benchCheckCount(tb testing.TB, got, want int) {
	if got != want {
		tb.Fatalf("got %d stocks, want %d", got, want)
	}
}

// BenchmarkAllStocksBy100 walks 10,000 stocks, 100 a page (100 requests an op).
func BenchmarkAllStocksBy100(b *testing.B) { benchRun(b, "AllStocksBy100") }

// BenchmarkAllStocksBy1000 walks 10,000 stocks, 1,000 a page (10 requests an op).
func BenchmarkAllStocksBy1000(b *testing.B) { benchRun(b, "AllStocksBy1000") }

func benchAllStocks(name string, limit int) benchCall {
	ctx := context.Background()
	opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: limit}}
	return benchCall{name: name, env: benchSeeded, ops: map[string]benchOp{
		"sdk": func(tb testing.TB, e *benchEnv) {
			n, sum := 0, int64(0)
			for s, err := range e.sdk.Stocks.All(ctx, opts) {
				benchCheck(tb, err)
				n, sum = n+1, sum+s.Stock
			}
			benchCheckCount(tb, n, benchSeededStocks())
			benchSinkSum = sum
		},
		"lean": func(tb testing.TB, e *benchEnv) {
			n, sum := 0, int64(0)
			benchCheck(tb, e.lean.allStocks(ctx, limit, func(s *whippyware.Stock) { n, sum = n+1, sum+s.Stock }))
			benchCheckCount(tb, n, benchSeededStocks())
			benchSinkSum = sum
		},
		"plain": func(tb testing.TB, e *benchEnv) {
			n, sum := 0, int64(0)
			benchCheck(tb, e.plain.allStocks(ctx, limit, func(s *plainStock) { n, sum = n+1, sum+s.Stock }))
			benchCheckCount(tb, n, benchSeededStocks())
			benchSinkSum = sum
		},
	}}
}

// BenchmarkCreateStock creates one stock a call, each with a new SKU, on a fresh fake per
// sub-benchmark (so that the lists above keep their 10,000).
func BenchmarkCreateStock(b *testing.B) { benchRun(b, "CreateStock") }

func benchCreateStock() benchCall {
	ctx := context.Background()
	var seq atomic.Int64
	sku := func() string { return "NEW-" + strconv.FormatInt(seq.Add(1), 10) }
	return benchCall{name: "CreateStock",
		env: func(tb testing.TB, transport string) *benchEnv {
			e := newBenchEnv(tb, transport, 0, nil, wt.WithRequestLogLimit(benchLogLimit))
			tb.Cleanup(e.srv.Close)
			return e
		},
		ops: map[string]benchOp{
			"sdk": func(tb testing.TB, e *benchEnv) {
				s, _, err := e.sdk.Stocks.Create(ctx, &whippyware.StockCreateRequest{SKU: sku(), Provider: "p", Location: "L", Stock: 5})
				benchCheck(tb, err)
				benchSinkStock = s
			},
			"lean": func(tb testing.TB, e *benchEnv) {
				s, err := e.lean.createStock(ctx, &whippyware.StockCreateRequest{SKU: sku(), Provider: "p", Location: "L", Stock: 5})
				benchCheck(tb, err)
				benchSinkStock = s
			},
			"plain": func(tb testing.TB, e *benchEnv) {
				s, err := e.plain.createStock(ctx, &plainStockCreate{SKU: sku(), Provider: "p", Location: "L", Stock: 5})
				benchCheck(tb, err)
				benchSinkPlainStock = s
			},
		}}
}

// BenchmarkConcurrent runs 64 goroutines sharing one client (and, over loopback, one
// http.Transport keeping up to 64 idle connections), each reading a provider or a page of
// 100 stocks; req/s is calls a second. Run it with -cpu 1,2.
func BenchmarkConcurrent(b *testing.B) {
	ctx := context.Background()
	const goroutines = 64
	pooled := func(srv *wt.Server) *http.Client {
		if srv.URL == wt.InProcessURL {
			return srv.HTTPClient()
		}
		return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: goroutines, MaxIdleConns: goroutines}}
	}
	opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 100}}
	calls := []struct {
		name      string
		sdk, base func(e *benchEnv) error
	}{
		{"GetProvider",
			func(e *benchEnv) error { _, _, err := e.sdk.Providers.Get(ctx, e.provider); return err },
			func(e *benchEnv) error { _, err := e.lean.getProvider(ctx, e.provider); return err }},
		{"ListStocks",
			func(e *benchEnv) error { _, _, err := e.sdk.Stocks.List(ctx, opts); return err },
			func(e *benchEnv) error { _, err := e.lean.listStocks(ctx, 100, 1); return err }},
	}
	for _, call := range calls {
		for _, transport := range []string{"inprocess", "loopback"} {
			for _, impl := range []struct {
				name string
				op   func(*benchEnv) error
			}{{"sdk", call.sdk}, {"lean", call.base}} {
				b.Run(call.name+"/"+impl.name+"/"+transport, func(b *testing.B) {
					e := newBenchEnv(b, transport, 1000, pooled)
					b.Cleanup(e.srv.Close)
					if err := impl.op(e); err != nil {
						b.Fatal(err)
					}
					b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := impl.op(e); err != nil {
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
}

// BenchmarkFakeCreate measures the fake alone: 8 plain net/http clients creating stocks over
// loopback (whippywaretest's own BenchmarkListStocks does the same for lists). req/s is
// creates a second.
func BenchmarkFakeCreate(b *testing.B) {
	ctx := context.Background()
	e := newBenchEnv(b, "loopback", 0, func(*wt.Server) *http.Client {
		return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	})
	defer e.srv.Close()
	var seq atomic.Int64
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := &whippyware.StockCreateRequest{SKU: "NEW-" + strconv.FormatInt(seq.Add(1), 10), Provider: "p", Location: "L", Stock: 5}
			if _, err := e.lean.createStock(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkFakeRetained measures what the in-process fake keeps per request it served (its
// request log): retained-B/req is the growth of the live heap after runtime.GC, per GET of a
// provider, with every request logged and with WithRequestLogLimit(10000), as
// cmd/whippyware-fake runs.
func BenchmarkFakeRetained(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []wt.Option
	}{{"unlimited", nil}, {"limit10000", []wt.Option{wt.WithRequestLogLimit(10000)}}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			e := newBenchEnv(b, "inprocess", 0, nil, tc.opts...)
			defer e.srv.Close()
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := int64(ms.HeapAlloc)
			n := 0
			for b.Loop() {
				if _, err := e.lean.getProvider(ctx, e.provider); err != nil {
					b.Fatal(err)
				}
				n++
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(int64(ms.HeapAlloc)-before)/float64(n), "retained-B/req")
			runtime.KeepAlive(e.srv)
		})
	}
}

// benchFakeEnv names the variable that makes the test binary serve a seeded fake
// instead of running tests (see TestMain).
const benchFakeEnv = "WHIPPYWARE_BENCH_FAKE_STOCKS"

// TestMain runs the tests, or, with $WHIPPYWARE_BENCH_FAKE_STOCKS set, is the child
// process of BenchmarkAllStreams: a fake seeded with that many stocks on loopback,
// serving until its stdin closes.
func TestMain(m *testing.M) {
	n, err := strconv.Atoi(os.Getenv(benchFakeEnv))
	if err != nil {
		os.Exit(m.Run())
	}
	e, err := seedBenchEnv("loopback", n, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s %s\n", e.srv.URL, e.sdk.Auth.Key())
	_, _ = io.Copy(io.Discard, os.Stdin)
	e.srv.Close()
}

// startBenchFake starts the test binary as a seeded fake in a child process, so that the fake's store
// (100,000 stocks) and its request log do not share the benchmark's heap, and returns its URL
// and a key.
func startBenchFake(b *testing.B, stocks int) (url, key string) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchFakeEnv+"="+strconv.Itoa(stocks))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if _, serr := fmt.Sscan(line, &url, &key); err != nil || serr != nil {
		b.Fatalf("fake child process: %q: %v %v", line, err, serr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return url, key
}

// BenchmarkAllStreams walks 10,000 and 100,000 stocks, 500 a page, with All from a fake in
// a child process, and reports how much the heap grows while it does:
//
//   - peak-live-MB: the largest growth of the live heap (after runtime.GC) over the walk's
//     start, sampled every 2,500 stocks: what the walk holds on to;
//   - page-live-MB: the live size of one decoded page of 500 stocks, for scale;
//   - peak-heap-MB: the largest growth of HeapAlloc, sampled every 250 stocks without
//     forcing a GC: what the walk's garbage adds before the collector runs.
//
// Streaming means the first two stay about equal whatever the total. Under -short it
// walks benchsize.Short stocks once.
func BenchmarkAllStreams(b *testing.B) {
	for _, total := range slices.Compact([]int{benchsize.N(10000), benchsize.N(100000)}) {
		b.Run("stocks="+strconv.Itoa(total), func(b *testing.B) {
			url, key := startBenchFake(b, total)
			c, err := whippyware.NewClient(url, whippyware.WithKey(key))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: 500}}

			// The live size of one page, kept alive across a GC.
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			page, _, err := c.Stocks.List(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			pageMB := float64(int64(ms.HeapAlloc)-int64(before)) / (1 << 20)
			runtime.KeepAlive(page)
			page = nil

			var peakLive, peakHeap int64
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := int64(ms.HeapAlloc)
				b.StartTimer()
				n := 0
				for _, err := range c.Stocks.All(ctx, opts) {
					if err != nil {
						b.Fatal(err)
					}
					n++
					switch {
					case n%2500 == 0:
						runtime.GC()
						runtime.ReadMemStats(&ms)
						peakLive = max(peakLive, int64(ms.HeapAlloc)-base)
					case n%250 == 0:
						runtime.ReadMemStats(&ms)
						peakHeap = max(peakHeap, int64(ms.HeapAlloc)-base)
					}
				}
				if n != total {
					b.Fatalf("walked %d stocks, want %d", n, total)
				}
			}
			b.ReportMetric(float64(peakLive)/(1<<20), "peak-live-MB")
			b.ReportMetric(pageMB, "page-live-MB")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkConnectionReuse runs 64 goroutines reading a provider through one client with
// its default *http.Client, over loopback, and counts the TCP connections the fake's
// listener accepted: "clean" with no faults, "503s" with every other request answered 503
// (so about one call in 16 exhausts its 3 retries and gives up, which go-retryablehttp
// follows with CloseIdleConnections). req/s counts calls, failed ones included;
// conns/kcall is connections opened per 1,000 calls. Run it with -cpu 2.
func BenchmarkConnectionReuse(b *testing.B) {
	const goroutines = 64
	for _, faults := range []string{"clean", "503s"} {
		b.Run(faults, func(b *testing.B) {
			fake := wt.NewServer(wt.WithoutListener(), wt.WithRequestLogLimit(1000))
			p := fake.AddProvider(wt.Provider{Name: "p", Code: "p", IsActive: true})
			var opened atomic.Int64
			srv := httptest.NewUnstartedServer(fake.Handler())
			srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
				if state == http.StateNew {
					opened.Add(1)
				}
			}
			srv.Start()
			b.Cleanup(srv.Close)
			c, err := whippyware.NewClient(srv.URL, whippyware.WithRetryWait(0, 0),
				whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.Auth.Login(ctx); err != nil {
				b.Fatal(err)
			}
			if faults == "503s" {
				var n atomic.Int64
				fake.SetFaultFunc(func(*http.Request) *wt.Fault {
					if n.Add(1)%2 == 0 {
						return &wt.Fault{Status: http.StatusServiceUnavailable}
					}
					return nil
				})
			}
			var failed atomic.Int64
			b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
			opened.Store(0)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := c.Providers.Get(ctx, p.ID); err != nil {
						if !errors.Is(err, whippyware.ErrServer) {
							b.Error(err)
							return
						}
						failed.Add(1)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(opened.Load()), "conns")
			b.ReportMetric(float64(opened.Load())*1000/float64(b.N), "conns/kcall")
			b.ReportMetric(float64(failed.Load())*100/float64(b.N), "%gave-up")
		})
	}
}
