package stocksync_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
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

// Each fault hits the first write of a run that creates NEW and updates OLD. POST is not
// retried by the client, so every case is stocksync's own doing.
func TestSyncWritesEachRowOnceThroughFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault wt.Fault
		// requests on stocks/ for the run: the page, then the writes and lookups.
		requests int
	}{
		{"503 on create", wt.Fault{Method: "POST", Status: 503}, 1 + 2 + 1 + 1},                        // POST 503, lookup, POST, PATCH
		{"502 HTML on create", wt.Fault{Method: "POST", Status: 502, Body: "<h1>Bad Gateway</h1>"}, 5}, // the same
		{"drop before create", wt.Fault{Method: "POST", Drop: wt.DropBefore}, 5},                       // not applied: lookup finds nothing, POST again
		{"drop after create", wt.Fault{Method: "POST", Drop: wt.DropAfter}, 1 + 1 + 1 + 1},             // applied: the lookup finds it, no second POST
		{"503 on update", wt.Fault{Method: "PATCH", Status: 503}, 1 + 1 + 2},                           // PATCH resent
		{"drop after update", wt.Fault{Method: "PATCH", Drop: wt.DropAfter}, 4},                        // PATCH resent: absolute, harmless
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			fake.AddStock(wt.Stock{SKU: "OLD", Provider: "erp_main", Location: "110", Stock: 1, IsActive: true})
			client := fake.Client()
			_, err := client.Auth.Login(context.Background())
			require.NoError(t, err)
			f := tc.fault
			f.Path = "/api/v1/stocks/*"
			fake.FailNext(1, f)

			rep, err := newSyncer(t, client, stocksync.Options{Workers: 1}).Sync(context.Background(),
				stocksync.ReadCSV(strings.NewReader("NEW,erp_main,110,4\nOLD,erp_main,110,2\n")))
			require.NoError(t, err)

			assert.True(t, rep.OK(), "%+v", rep.Outcomes)
			assert.Equal(t, 1, rep.Created)
			assert.Equal(t, 1, rep.Updated)
			assert.Equal(t, map[string]int64{
				key("NEW", "erp_main", "110", "standard"): 4,
				key("OLD", "erp_main", "110", "standard"): 2,
			}, store(t, fake))
			assert.Equal(t, tc.requests, stockRequests(fake))
			assert.Equal(t, stockRequests(fake), rep.Requests)
		})
	}
}

// A create that provably never left the client (its dial was refused) is sent again
// at once: a lookup is needed only when the service may have applied it.
func TestSyncResendsACreateThatNeverLeftWithoutALookup(t *testing.T) {
	fake := newFake(t)
	var refused atomic.Bool
	inner := fake.HTTPClient().Transport
	hc := &http.Client{Transport: transportFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/stocks/" && refused.CompareAndSwap(false, true) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return inner.RoundTrip(r)
	})}
	client := fake.Client(whippyware.WithHTTPClient(hc))
	rep, err := newSyncer(t, client, stocksync.Options{Workers: 1}).Sync(context.Background(),
		stocksync.ReadCSV(strings.NewReader("NEW,erp_main,110,4\n")))
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Outcomes)
	assert.True(t, refused.Load(), "the first create was refused at the dial")
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 0, fake.RequestCount("GET", "/api/v1/stocks/")-1, "no lookup after the plan's one page")
	assert.Equal(t, map[string]int64{key("NEW", "erp_main", "110", "standard"): 4}, store(t, fake))
}

// transportFunc is a transport of the test's own in front of the fake's.
type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A create whose answer was lost every time it was tried is found by the lookup on the
// next attempt, so the row exists once however often the answer is lost.
func TestSyncNeverCreatesTwiceWhenAnswersKeepGettingLost(t *testing.T) {
	fake := newFake(t)
	fake.FailNext(3, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Drop: wt.DropAfter})
	rep := syncCSV(t, fake, "NEW,erp_main,110,4\n", stocksync.Options{})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"))
	assert.Equal(t, map[string]int64{key("NEW", "erp_main", "110", "standard"): 4}, store(t, fake))
}

// A row that fails on every attempt is reported failed with the last answer, and a rerun
// once the service is back finishes it.
func TestSyncGivesUpOnARowAndARerunFinishesIt(t *testing.T) {
	fake := newFake(t)
	fake.FailNext(3, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: 503})
	rep := syncCSV(t, fake, "NEW,erp_main,110,4\n", stocksync.Options{MaxAttempts: 3})
	require.Equal(t, 1, rep.Failed)
	assert.Contains(t, rep.Outcomes[0].Messages[0], "gave up after 3 attempts")
	assert.Contains(t, rep.Outcomes[0].Messages[0], "503")
	assert.Equal(t, 3, fake.RequestCount("POST", "/api/v1/stocks/"))
	assert.Empty(t, fake.Stocks())

	rep = syncCSV(t, fake, "NEW,erp_main,110,4\n", stocksync.Options{})
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, map[string]int64{key("NEW", "erp_main", "110", "standard"): 4}, store(t, fake))
}

// Under random 503s and dropped connections (before and after the write) on every request,
// the store equals the input after the run or one rerun, with no duplicate row.
func TestSyncConvergesUnderRandomFaults(t *testing.T) {
	fake := newFake(t)
	seedStocks(fake, 200)
	injectFaults(fake, 9, 0.10, 0.02, 0.02)
	// Every third row changes, and 50 rows are new.
	input := desiredCSV(250, func(i int) int {
		if i%3 == 0 || i >= 200 {
			return i
		}
		return 10
	})
	want := map[string]int64{}
	for i, line := range strings.Split(strings.TrimSpace(input), "\n")[1:] {
		want[key(strings.Split(line, ",")[0], "erp_main", "110", "standard")] = int64(map[bool]int{true: i, false: 10}[i%3 == 0 || i >= 200])
	}
	client := fake.Client()
	s := newSyncer(t, client, stocksync.Options{Workers: 4})
	rep, err := s.Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	if !rep.OK() {
		rep, err = s.Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
		require.NoError(t, err)
	}
	assert.True(t, rep.OK(), "after one rerun: %v", rep)
	assert.Equal(t, want, store(t, fake))
	faulted := map[string]int{}
	for _, r := range fake.Requests() {
		if r.Faulted {
			faulted[r.Method]++
		}
	}
	assert.Positive(t, faulted["POST"], "some creates met a fault")
	assert.Positive(t, faulted["PATCH"], "some updates met a fault")
}

// A 429 slows every worker through the shared rate (cut once per congestion event, to the
// rate the service was seen to accept); the rows still all get written.
func TestSyncSlowsDownOn429(t *testing.T) {
	t.Run("a client that retries: its retries are off for the sync, every 429 counts", func(t *testing.T) {
		fake := newFake(t)
		fake.FailNext(3, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusTooManyRequests})
		rep := syncCSV(t, fake, desiredCSV(10, func(int) int { return 1 }), stocksync.Options{Rate: 1000, Workers: 1})
		assert.Equal(t, 10, rep.Created)
		assert.Equal(t, 3, rep.Throttled)
		assert.Equal(t, 13, fake.RequestCount("POST", "/api/v1/stocks/"), "each 429 sent once, by the sync")
		assert.Less(t, rep.Rate, 1000.0)
	})
	t.Run("workers share the rate: a 429 storm is not resent by each worker", func(t *testing.T) {
		fake := newFake(t)
		var start time.Time
		var mu sync.Mutex
		var posts, early int
		fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
			if r.Method != http.MethodPost || r.URL.Path != "/api/v1/stocks/" {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if time.Since(start) < 75*time.Millisecond {
				early++
			}
			if posts++; posts <= 2 {
				return &wt.Fault{Status: http.StatusTooManyRequests}
			}
			return nil
		})
		mu.Lock()
		start = time.Now() // after planning: the sync reads no stock through POST
		mu.Unlock()
		rep := syncCSV(t, fake, desiredCSV(4, func(int) int { return 1 }), stocksync.Options{Rate: 20, Workers: 4})
		assert.Equal(t, 4, rep.Created)
		assert.Equal(t, 2, rep.Throttled, "each 429 once: the client did not resend them")
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 6, posts)
		// A slow machine sends fewer, never more: 20 a second from the first request,
		// not one per worker at once.
		assert.LessOrEqual(t, early, 2, "creates in the first 75 ms at 20 a second")
	})
	t.Run("the 429 came back to stocksync", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := newFake(t)
			fake.FailNext(2, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusTooManyRequests})
			client := fake.Client(whippyware.WithoutRetries())
			var rates []float64
			rep, err := newSyncer(t, client, stocksync.Options{Rate: 1000, Workers: 1, Progress: func(p stocksync.Progress) {
				rates = append(rates, p.Rate)
			}}).Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(desiredCSV(3, func(int) int { return 1 }))))
			require.NoError(t, err)
			assert.Equal(t, 3, rep.Created)
			assert.Equal(t, 2, rep.Throttled)
			// Two 429s, each for a request sent after the cut before it: two cuts. One
			// answer is too few to measure a rate by, so each at most halves.
			require.Len(t, rates, 3)
			assert.InDelta(t, 250, rates[0], 5, "halved twice")
			assert.True(t, slices.IsSorted(rates), "then growing back: %v", rates)
			assert.Less(t, rates[2], 1000.0)
			assert.Equal(t, 5, fake.RequestCount("POST", "/api/v1/stocks/"))
		})
	})
	t.Run("no limit until the service pushes back", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			fake := newFake(t)
			fake.FailNext(1, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusTooManyRequests})
			rep := syncCSV(t, fake, desiredCSV(2, func(int) int { return 1 }), stocksync.Options{Workers: 1})
			assert.Equal(t, 1, rep.Throttled)
			// The one answer before the 429 (the page read) is the rate the service was
			// seen to accept: one in the last second, of which the limit keeps half.
			assert.InDelta(t, 0.5, rep.Rate, 0.01, "a limit now applies")
		})
	})
}

// Cancelled while writes are in flight, the report counts what the store holds: a
// write the service applied as the run was cancelled gets its answer and is done.
func TestSyncCancelledWithWritesInFlightReportsWhatTheStoreHolds(t *testing.T) {
	for _, mode := range []struct {
		name string
		fake func(t *testing.T) *wt.Server
	}{
		{"in-process", func(t *testing.T) *wt.Server { return newFake(t) }},
		{"socket", func(t *testing.T) *wt.Server { fake := wt.NewTestServer(t); seedProviders(fake); return fake }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			fake := mode.fake(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var posts atomic.Int64
			fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
				if r.Method == http.MethodPost && r.URL.Path == "/api/v1/stocks/" && posts.Add(1) == 30 {
					cancel() // while this create, and the other workers', are being served
				}
				return nil
			})
			input := desiredCSV(100, func(int) int { return 1 })
			rep, err := newSyncer(t, fake.Client(), stocksync.Options{Workers: 4}).Sync(ctx, stocksync.ReadCSV(strings.NewReader(input)))
			require.ErrorIs(t, err, context.Canceled)
			require.NotNil(t, rep)
			assert.Equal(t, len(fake.Stocks()), rep.Created, "the report and the store agree")
			assert.Equal(t, 100, rep.Created+rep.NotDone)
		})
	}
}

// An answer that comes in the grace after a cancel (a 503, a 429, a refusal) is not
// the reason the run stopped: Apply ends with the context's error, the row not done.
func TestSyncCancelledEndsWithTheCancelWhateverTheLastAnswer(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadRequest} {
		fake := newFake(t)
		ctx, cancel := context.WithCancel(context.Background())
		fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
			if r.Method == http.MethodPost && r.URL.Path == "/api/v1/stocks/" {
				cancel()
				return &wt.Fault{Status: status}
			}
			return nil
		})
		rep, err := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1}).Sync(ctx, stocksync.ReadCSV(strings.NewReader("NEW,erp_main,110,4\n")))
		cancel()
		require.ErrorIs(t, err, context.Canceled, "status %d", status)
		require.NotNil(t, rep)
		assert.Equal(t, 1, rep.NotDone, "status %d: the row is not done", status)
		assert.Zero(t, rep.Failed, "status %d: nor failed", status)
	}
}

// Cancelling mid-run stops sending, and the report says what was done; a rerun finishes.
func TestSyncCancelledMidRunReportsWhatWasDone(t *testing.T) {
	fake := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	input := desiredCSV(20, func(int) int { return 3 })
	s := newSyncer(t, fake.Client(), stocksync.Options{Workers: 1, Progress: func(p stocksync.Progress) {
		if p.Done == 5 {
			cancel()
		}
	}})
	rep, err := s.Sync(ctx, stocksync.ReadCSV(strings.NewReader(input)))
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, rep)
	assert.Equal(t, 5, rep.Created)
	assert.Equal(t, 15, rep.NotDone)
	assert.Len(t, rep.Outcomes, 5)
	assert.Len(t, fake.Stocks(), 5)

	rep, err = s.Sync(context.Background(), stocksync.ReadCSV(strings.NewReader(input)))
	require.NoError(t, err)
	assert.Equal(t, 15, rep.Created)
	assert.Equal(t, 5, rep.Unchanged)
	assert.Len(t, store(t, fake), 20)
}

// Credentials the service refuses stop the run instead of failing every row.
func TestSyncStopsWhenTheKeyIsRefused(t *testing.T) {
	fake := newFake(t)
	client := fake.Client()
	s := newSyncer(t, client, stocksync.Options{Workers: 1})
	plan, err := s.Plan(context.Background(), stocksync.ReadCSV(strings.NewReader(desiredCSV(5, func(int) int { return 1 }))))
	require.NoError(t, err)
	fake.FailNext(10, wt.Fault{Method: "POST", Path: "/api/v1/stocks/", Status: http.StatusUnauthorized})
	rep, err := s.Apply(context.Background(), plan)
	require.ErrorIs(t, err, whippyware.ErrUnauthorized)
	assert.Equal(t, 5, rep.NotDone)
	assert.Zero(t, rep.Failed)
}

// Through a DRF throttle (synctest's clock: no machine's load in it), a sync meets one
// congestion event at the start, pauses for its Retry-After, and then holds just under
// the service's rate: the benchmark's cases, each at 90% of the allowed rate or more,
// within N/R ÷ 0.9 plus one window.
func TestSyncHoldsTheRateOfADRFThrottle(t *testing.T) {
	for _, c := range []struct{ n, rate, workers int }{{1000, 50, 8}, {5000, 200, 8}, {2000, 100, 16}} {
		t.Run(fmt.Sprintf("N=%d/R=%d/workers=%d", c.n, c.rate, c.workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake := newFake(t, wt.WithThrottle(fmt.Sprintf("%d/s", c.rate)), wt.WithRequestLogLimit(1))
				seedStocks(fake, c.n)
				start := time.Now()
				rep := syncCSV(t, fake, desiredCSV(c.n, func(int) int { return 11 }), stocksync.Options{Workers: c.workers})
				wall := time.Since(start)
				assert.Equal(t, c.n, rep.Updated)
				achieved := float64(rep.Requests-rep.Throttled) / wall.Seconds() / float64(c.rate)
				t.Logf("%s, %d requests, %d throttled, achieved ÷ allowed %.4f, rate at the end %.2f",
					wall, rep.Requests, rep.Throttled, achieved, rep.Rate)
				assert.GreaterOrEqual(t, achieved, 0.9)
				assert.LessOrEqual(t, wall, time.Duration(float64(c.n)/float64(c.rate)/0.9*float64(time.Second))+time.Second)
				assert.LessOrEqual(t, rep.Throttled, c.workers+1, "the first burst's 429s, and at most one probe's")
			})
		})
	}
}
