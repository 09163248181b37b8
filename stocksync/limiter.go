package stocksync

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// adaptiveLimiter is the one rate limit every worker of a run waits on: writes, lookups
// and page reads. It finds the rate the service allows from the service's own answers and
// holds it.
//
// It takes from the AWS SDKs' adaptive retry mode (aws-sdk-go-v2's aws/retry, botocore's
// retries/adaptive.py) what fits: a token bucket every request waits on, whose rate is cut
// when the service throttles and grows back while it does not. It differs where this
// service makes a difference:
//
//   - One cut per congestion event. A 429 cuts the rate only when its request was sent
//     after the last cut: the other workers' 429s for requests already in flight are the
//     same event, and cutting again for each (as the AWS modes and a plain AIMD do) sinks
//     the rate far below what the service allows.
//   - The cut rate is measured, not guessed from a fraction: it is the rate at which the
//     service accepted requests over the last second (deliveryWindow), the rate its
//     throttle let through (as BBR measures delivery rate), less a margin: 5%, wider
//     while 429s come back at the rate it holds (a loaded machine sends unevenly), back
//     to 5% as they stop.
//   - Retry-After pauses every worker until it has passed: DRF's throttle refuses
//     everything until then, so a request sent sooner is spent for nothing (and,
//     through a client's retries, each worker would spend its own). The AWS modes
//     ignore the header.
//   - Growth: once the pause is over, back quickly (the gap halving every recoverHalfLife)
//     to just under the rate the cut came from, in case the 429s were passing (another
//     client's burst), then a slow linear probe above it (probeSlope of it per second).
//     CUBIC's probe is as fast as its recovery, and each probe past a DRF throttle costs a
//     whole Retry-After pause of every worker. When the 429s were no passing thing, the
//     next cut is measured at the service's rate again, and the recovery aims there; and
//     each time a cut finds the same rate as the one before, the probe slows by half.
//
// The zero limit means none: no Rate was set and the service has not throttled yet.
type adaptiveLimiter struct {
	limiter *rate.Limiter

	mu      sync.Mutex
	ceiling float64 // Options.Rate; 0 for none
	// limit is the current rate, 0 for none. After a cut it grows from cutTo towards
	// target, from growFrom on (rateAt).
	limit, cutTo, target float64
	lastCut, growFrom    time.Time
	// sent numbers the requests sent; cutAfter is the number of the last one sent before
	// the last cut.
	sent, cutAfter uint64
	// margin is the share of the measured rate a cut leaves unused (holdAt).
	margin float64
	// probe is the probe's slope (probeSlope, less once the rate is known); measured the
	// rate the last cut found.
	probe, measured float64
	// cutFrom is the limit the last cut came from; cutSamples the answers it measured
	// over cutSpan, and those that came in after it to requests sent before.
	cutFrom    float64
	cutSamples int
	cutSpan    time.Duration
	pauseUntil time.Time
	// delivered are the times of the latest answers that were not 429s, those of the last
	// deliveryWindow and at least minSamples.
	delivered []time.Time
}

const (
	// deliveryWindow is how far back the delivery rate is measured: DRF's shortest
	// throttle period.
	deliveryWindow = time.Second
	// minSamples answers at least measure a slow delivery rate, over a longer span.
	minSamples = 8
	// minMargin is the least share of the measured rate a cut leaves unused, so that
	// the pacing's own unevenness stays under the service's limit; maxMargin the most.
	minMargin, maxMargin = 0.05, 0.2
	// marginGrowth widens the margin when the service throttles the rate it holds
	// (not a probe above it) again within marginMemory; the extra margin halves every
	// marginMemory without that.
	marginGrowth = 1.5
	marginMemory = 30 * time.Second
	// recoverHalfLife is how fast the rate returns after a cut.
	recoverHalfLife = 500 * time.Millisecond
	// probeSlope is how much the limit rises per second, as a share of the rate it
	// recovers to: 5% in 20 s; at most sixteen times slower once the rate is known.
	probeSlope, minProbeSlope = 0.0025, probeSlope / 16
	// sameRate is how close two measured rates are to be the same limit found again.
	sameRate = 0.02
	// minRate is the lowest limit a cut sets: one request in 10 s.
	minRate = 0.1
)

// newAdaptiveLimiter starts at perSecond (no limit when 0), with a burst of one: the
// configured rate holds from the first request, whatever the number of workers.
func newAdaptiveLimiter(perSecond float64) *adaptiveLimiter {
	l := &adaptiveLimiter{limiter: rate.NewLimiter(rate.Inf, 1), ceiling: perSecond, limit: perSecond,
		margin: minMargin, probe: probeSlope}
	if perSecond > 0 {
		l.limiter.SetLimit(rate.Limit(perSecond))
	}
	return l
}

// ticket says when a request was sent, and in which order: requests sent at the same
// instant are still before or after a cut.
type ticket struct {
	at time.Time
	n  uint64 // 1 for the first request, 0 for none
}

// wait blocks until one more request may be sent (the rate allows it and no Retry-After
// pause is on), or ctx ends. Its ticket goes to answered or throttledBy with the answer.
func (l *adaptiveLimiter) wait(ctx context.Context) (ticket, error) {
	for {
		l.mu.Lock()
		pause := time.Until(l.pauseUntil)
		l.update(time.Now())
		l.mu.Unlock()
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return ticket{}, ctx.Err()
			case <-t.C:
			}
			continue
		}
		if err := l.limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil {
				// rate's own error when the next token comes after the deadline: the run
				// ends with its context, not with an error of its own.
				return ticket{}, context.DeadlineExceeded
			}
			return ticket{}, ctx.Err()
		}
		l.mu.Lock()
		now := time.Now()
		paused := now.Before(l.pauseUntil)
		if !paused { // a pause that began while this one waited holds it back too
			l.sent++
			sent := ticket{now, l.sent}
			l.mu.Unlock()
			return sent, nil
		}
		l.mu.Unlock()
	}
}

// answered records an answer that was not a 429 to the request of ticket sent: the
// service's throttle let it through. An answer that comes after a cut to a request sent
// before it belongs to the window the cut measured (it was in flight then): the cut is
// measured again with it, and raised if need be.
func (l *adaptiveLimiter) answered(sent ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	old := 0
	for len(l.delivered)-old > minSamples && !l.delivered[old].After(now.Add(-deliveryWindow)) {
		old++
	}
	l.delivered = append(l.delivered[old:], now)
	if sent.n == 0 || sent.n > l.cutAfter || !sent.at.After(l.lastCut.Add(-deliveryWindow)) {
		return // not in flight at the last cut
	}
	l.cutSamples++
	if cut := l.cutFor(float64(l.cutSamples)/l.cutSpan.Seconds(), l.cutSamples); cut > l.cutTo {
		l.cutTo, l.target = cut, max(l.target, cut)
		l.update(now)
	}
}

// throttledBy records a 429 for the request of ticket sent; retryAfter is the service's
// Retry-After (0 when it named none). Every worker pauses until it has passed; and when
// the request was sent after the last cut, this is a new congestion event, and the rate is
// cut to the rate the service has been accepting.
func (l *adaptiveLimiter) throttledBy(sent ticket, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if until := now.Add(retryAfter); until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
	if sent.n <= l.cutAfter {
		return // sent before the last cut: the same event
	}
	l.update(now)
	accepted, samples, span := l.deliveryRate(now)
	if accepted == 0 {
		// Nothing was accepted yet (the service was busy with others before this run
		// began): no rate to learn. A pause holds everyone back, a window when the
		// service named none, and the answers after it will tell.
		if until := now.Add(deliveryWindow); retryAfter == 0 && until.After(l.pauseUntil) {
			l.pauseUntil = until
		}
		return
	}
	// The extra margin fades while no 429 comes; it grows when one comes again soon at
	// the rate held, not above it.
	sinceLast := now.Sub(l.lastCut)
	l.margin = minMargin + (l.margin-minMargin)*math.Exp2(-sinceLast.Seconds()/marginMemory.Seconds())
	if held := l.limit > 0 && l.limit <= l.target*1.01; held && sinceLast < marginMemory {
		l.margin = min(l.margin*marginGrowth, maxMargin)
	}
	// The same rate found again: the service's limit is known, and probing past it
	// costs a pause each time.
	if math.Abs(accepted-l.measured) <= sameRate*l.measured {
		l.probe = max(l.probe/2, minProbeSlope)
	} else {
		l.probe = probeSlope
	}
	l.measured = accepted
	l.cutFrom, l.cutSamples, l.cutSpan = l.limit, samples, span
	cut := l.cutFor(accepted, samples)
	l.target = max(cut, l.holdAt(l.limit))
	l.limit, l.cutTo, l.lastCut, l.cutAfter = cut, cut, now, l.sent
	l.growFrom = now
	if l.pauseUntil.After(now) {
		l.growFrom = l.pauseUntil // no growth while nothing may be sent
	}
	l.limiter.SetLimit(rate.Limit(cut))
}

// cutFor is the rate a cut sets when the service accepted perSecond, measured over
// samples answers: held under it by the margin, never above the rate the cut came from.
func (l *adaptiveLimiter) cutFor(perSecond float64, samples int) float64 {
	cut := l.holdAt(perSecond)
	if samples < minSamples && l.cutFrom > 0 {
		// Too few answers to measure by (a 429 early in the run): at most halve.
		cut = max(cut, l.cutFrom/2)
	}
	if l.cutFrom > 0 {
		cut = min(cut, l.cutFrom) // a cut never raises the rate (answers may bunch up)
	}
	return cut
}

// holdAt is the rate to hold when the service accepts perSecond: the margin under it, and
// at least one request a window under it (a rate.Limiter with a burst of one lets one more
// than the rate through in a window).
func (l *adaptiveLimiter) holdAt(perSecond float64) float64 {
	return max(min(perSecond*(1-l.margin), perSecond-1), perSecond/2, minRate)
}

// deliveryRate is the rate of answers that were not 429s over the last deliveryWindow, or
// over the last minSamples answers when they span longer: how many answers that counted,
// over what span; 0 when there was none.
func (l *adaptiveLimiter) deliveryRate(now time.Time) (perSecond float64, samples int, span time.Duration) {
	if len(l.delivered) == 0 {
		return 0, 0, 0
	}
	span = max(now.Sub(l.delivered[0]), deliveryWindow)
	for _, t := range l.delivered {
		if now.Sub(t) <= span {
			samples++
		}
	}
	return float64(samples) / span.Seconds(), samples, span
}

// update sets the limit to what it has grown to since the last cut; the caller holds mu.
func (l *adaptiveLimiter) update(now time.Time) {
	if l.lastCut.IsZero() {
		return // never cut: the configured rate, or none
	}
	r := l.rateAt(max(now.Sub(l.growFrom), 0))
	if l.ceiling > 0 {
		r = min(r, l.ceiling)
	}
	if r != l.limit {
		l.limit = r
		l.limiter.SetLimit(rate.Limit(r))
	}
}

// rateAt is the limit dt after the growth began: from cutTo back towards target, the gap
// halving every recoverHalfLife, plus the slow probe.
func (l *adaptiveLimiter) rateAt(dt time.Duration) float64 {
	gap := l.target - l.cutTo
	return l.target - gap*math.Exp2(-dt.Seconds()/recoverHalfLife.Seconds()) + l.target*l.probe*dt.Seconds()
}

// rate is the current limit in requests per second, 0 for none.
func (l *adaptiveLimiter) rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.update(time.Now())
	return l.limit
}
