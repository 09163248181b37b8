package stocksync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// BenchmarkSyncUnderThrottle syncs N updates through the fake's DRF throttle at R requests
// a second (every request of the user counts, the plan's page read included) and reports
// achieved ÷ allowed: the requests the service accepted per second of the run over R. The
// goal is 0.90 or more, and a wall time within N/R ÷ 0.9 plus one window (wall/bound ≤ 1).
// Under -short each case is one window's worth (R writes, one 429 and its pause), to
// keep CI's smoke pass short.
func BenchmarkSyncUnderThrottle(b *testing.B) {
	for _, c := range []struct{ n, rate, workers int }{{1000, 50, 8}, {5000, 200, 8}, {2000, 100, 16}} {
		n := c.n
		if testing.Short() {
			n = c.rate
		}
		b.Run(fmt.Sprintf("N=%d/R=%d/workers=%d", n, c.rate, c.workers), func(b *testing.B) {
			for range b.N {
				syncUnderThrottle(b, n, c.rate, c.workers)
			}
		})
	}
}

func syncUnderThrottle(b *testing.B, n, rate, workers int) {
	b.StopTimer()
	fake := wt.NewServer(wt.WithoutListener(), wt.WithRequestLogLimit(1), wt.WithThrottle(fmt.Sprintf("%d/s", rate)))
	defer fake.Close()
	seedProviders(fake)
	seedStocks(fake, n)
	client := fake.Client()
	if _, err := client.Auth.Login(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := newSyncer(b, client, stocksync.Options{Workers: workers})
	input := stocksync.ReadCSV(strings.NewReader(desiredCSV(n, func(int) int { return 11 })))
	b.StartTimer()
	start := time.Now()
	rep, err := s.Sync(context.Background(), input)
	wall := time.Since(start)
	b.StopTimer()
	if err != nil || !rep.OK() || rep.Updated != n {
		b.Fatalf("%v: %v", err, rep)
	}
	accepted := rep.Requests - rep.Throttled
	achieved := float64(accepted) / wall.Seconds()
	bound := time.Duration(float64(n)/float64(rate)/0.9*float64(time.Second)) + time.Second
	b.ReportMetric(achieved/float64(rate), "achieved/allowed")
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "wall/bound")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(float64(rep.Throttled), "429s")
	b.ReportMetric(rep.Rate, "end-rate")
}
