package stocksync

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The limiter's times are synctest's fake clock: exact, whatever the machine's load.

// old is the ticket of a request sent long before: its answer counts in the delivery
// rate, and is late to no cut.
var old = ticket{}

// send waits for n requests and returns their tickets.
func send(t *testing.T, l *adaptiveLimiter, n int) []ticket {
	t.Helper()
	sent := make([]ticket, n)
	for i := range sent {
		var err error
		sent[i], err = l.wait(context.Background())
		require.NoError(t, err)
	}
	return sent
}

// Eight workers meet one throttle together: one cut, to the rate the service accepted
// over the last second (50) less the margin, not eight halvings.
func TestLimiterCutsOncePerCongestionEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		assert.Zero(t, l.rate(), "no limit before the first 429")
		sent := send(t, l, 58)
		for range 50 {
			l.answered(old)
		}
		time.Sleep(10 * time.Millisecond)
		for _, s := range sent[50:] {
			l.throttledBy(s, time.Second)
		}
		assert.InDelta(t, 47.5, l.rate(), 1e-9, "one cut: 95% of the 50 accepted in the last second")

		// A request sent after the cut and throttled is a new event: a second cut, from
		// what was accepted in the last second then (40). It came at the rate held, soon
		// after the first: the margin widens by half, to 7.5%.
		time.Sleep(time.Second) // the pause
		s := send(t, l, 1)[0]
		for range 40 {
			l.answered(old)
		}
		l.throttledBy(s, time.Second)
		assert.InDelta(t, 37, l.rate(), 1e-9)
	})
}

// 429s that keep coming at the rate held (a loaded machine sends unevenly) widen the
// margin, up to 20%; when they stop, it narrows back to 5%.
func TestLimiterWidensItsMarginWhile429sRecur(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		event := func() float64 {
			s := send(t, l, 1)[0]
			for range 100 {
				l.answered(old)
			}
			l.throttledBy(s, 0)
			return l.rate()
		}
		var cuts []float64
		for range 6 {
			cuts = append(cuts, event())
			time.Sleep(2 * time.Second)
		}
		// 5%, then half as much again each time (of a margin whose extra faded a little
		// in the 2 s between): 7.5%, 11.1%, 16.2%, then 20% at most.
		assert.InDelta(t, 95, cuts[0], 1e-9)
		assert.InDelta(t, 92.5, cuts[1], 1e-9)
		assert.InDelta(t, 88.9, cuts[2], 0.1)
		assert.InDelta(t, 83.8, cuts[3], 0.1)
		assert.InDelta(t, 80, cuts[4], 1e-9, "at most 20%")
		assert.InDelta(t, 80, cuts[5], 1e-9)
		time.Sleep(5 * time.Minute)
		event()
		assert.InDelta(t, minMargin, l.margin, 0.001, "quiet for five minutes: back to 5%")
	})
}

// A slow service is measured over the last answers, not over one second that holds one.
func TestLimiterMeasuresASlowRateOverItsLastAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		for range 10 { // one every 4 s: 0.25 a second
			send(t, l, 1)
			l.answered(old)
			time.Sleep(4 * time.Second)
		}
		s := send(t, l, 1)[0]
		l.throttledBy(s, 0)
		// The last 8 answers over 32 s, less the margin (a rate this slow keeps half).
		assert.InDelta(t, 0.125, l.rate(), 1e-9)
	})
}

// A Retry-After holds every worker back until it has passed; then they go at the rate
// the service was seen to accept.
func TestLimiterPausesEveryoneForRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		start := time.Now()
		sent := send(t, l, 20)
		for range 20 {
			l.answered(old)
		}
		l.throttledBy(sent[0], 3*time.Second) // sent before any cut: still cuts the first time
		var mu sync.Mutex
		var at []time.Duration
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				_, err := l.wait(context.Background())
				assert.NoError(t, err)
				mu.Lock()
				at = append(at, time.Since(start))
				mu.Unlock()
			})
		}
		wg.Wait()
		require.Len(t, at, 4)
		slices.Sort(at)
		assert.Equal(t, 3*time.Second, at[0], "none before the Retry-After")
		for i := 1; i < len(at); i++ {
			// 20 accepted in a second, less one: 19 a second.
			assert.InDelta(t, float64(time.Second)/19, float64(at[i]-at[i-1]), float64(time.Microsecond))
		}

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		l.throttledBy(send(t, l, 1)[0], time.Hour)
		_, err := l.wait(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "paused past the context's end")
	})
}

// When the 429s stop (another client's burst has passed), the rate comes back to just
// under where it was within a few seconds of the pause, then rises slowly, never above
// the configured rate.
func TestLimiterRecoversWhen429sStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(100)
		assert.Equal(t, 100.0, l.rate())
		for range 100 { // a second at 100 a second
			l.answered(send(t, l, 1)[0])
		}
		time.Sleep(time.Second)
		for range 40 { // then the service accepts only 40
			l.answered(send(t, l, 1)[0])
		}
		l.throttledBy(send(t, l, 1)[0], time.Second)
		assert.InDelta(t, 38, l.rate(), 1e-9, "cut to 95% of the 40 accepted")
		time.Sleep(time.Second) // the pause: no growth while nothing may be sent
		assert.InDelta(t, 38, l.rate(), 1e-9)
		time.Sleep(2 * time.Second)
		// 95 (95% of the rate cut from) - 57 × 2^-4, plus the probe: 0.25% of 95 a second.
		assert.InDelta(t, 95-57.0/16+2*0.2375, l.rate(), 1e-9)
		time.Sleep(time.Minute)
		assert.Equal(t, 100.0, l.rate(), "never above the configured rate")
	})
}

// The configured rate holds from the first request: no burst of one per worker.
func TestLimiterAllowsNoBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(2)
		start := time.Now()
		send(t, l, 5)
		assert.Equal(t, 2*time.Second, time.Since(start), "the first at once, then one every half second")
	})
}

// Each cut that finds the same rate as the one before halves the probe: the service's
// limit is known, and each probe past it costs a pause.
func TestLimiterProbesMoreSlowlyOnceTheRateIsKnown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		cutAt := func(accepted int) {
			time.Sleep(2 * time.Second) // the answers before are out of the window
			s := send(t, l, 1)[0]
			for range accepted {
				l.answered(old)
			}
			l.throttledBy(s, 0)
		}
		slope := func() float64 { // the rise a second, as a share of the rate recovered to
			time.Sleep(5 * time.Second) // recovered
			before := l.rate()
			time.Sleep(10 * time.Second)
			return (l.rate() - before) / l.target / 10
		}
		cutAt(100)
		assert.InEpsilon(t, 0.0025, slope(), 0.01, "0.25% a second")
		cutAt(100)
		assert.InEpsilon(t, 0.0025/2, slope(), 0.01, "the same rate again: half as fast")
		for range 6 {
			cutAt(100)
		}
		assert.InEpsilon(t, 0.0025/16, slope(), 0.01, "at most sixteen times slower")
		cutAt(200)
		assert.InEpsilon(t, 0.0025, slope(), 0.01, "another rate: the probe starts over")
	})
}

// Answers that come after a cut to requests in flight at it belong to the window the cut
// measured: the cut is measured again with them (raised, never lowered again), and
// answers to requests sent after the cut do not count.
func TestLimiterMeasuresTheCutAgainWithTheAnswersInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newAdaptiveLimiter(0)
		sent := send(t, l, 51)
		for _, s := range sent[:40] {
			l.answered(s)
		}
		l.throttledBy(sent[50], time.Second)
		assert.InDelta(t, 38, l.rate(), 1e-9, "40 answered when the 429 came")
		after := send(t, l, 1)[0] // once the pause is over
		l.answered(after)
		assert.InDelta(t, 38, l.rate(), 1e-9, "sent after the cut: not the cut's window")
		for _, s := range sent[40:50] {
			l.answered(s)
		}
		assert.InDelta(t, 47.5, l.rate(), 1e-9, "50 accepted in the window the cut measured")
	})
}
