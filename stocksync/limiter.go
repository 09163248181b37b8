package stocksync

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// adaptiveLimiter is the one rate limit every worker of a run waits on. A 429 halves the
// rate for everyone, and a Retry-After holds everyone back until it has passed, instead of
// each worker backing off alone while the others keep the service busy; each run of
// successes raises the rate by a step again, never above the configured ceiling
// (additive increase, multiplicative decrease, as TCP does).
type adaptiveLimiter struct {
	limiter *rate.Limiter

	mu         sync.Mutex
	ceiling    rate.Limit // the configured rate; rate.Inf for none
	floor      rate.Limit
	pauseUntil time.Time
	successes  int
	throttled  int
	started    time.Time
	sent       int // requests since started, to pick a first rate when there was none
}

// raiseAfter successes in a row raise the rate by one step (a tenth of the ceiling, or of
// the current rate when there is no ceiling).
const raiseAfter = 20

// newAdaptiveLimiter starts at perSecond (no limit when 0), with a burst of one: the
// configured rate holds from the first request, whatever the number of workers.
func newAdaptiveLimiter(perSecond float64) *adaptiveLimiter {
	ceiling := rate.Inf
	if perSecond > 0 {
		ceiling = rate.Limit(perSecond)
	}
	return &adaptiveLimiter{limiter: rate.NewLimiter(ceiling, 1), ceiling: ceiling, floor: 0.5, started: time.Now()}
}

// wait blocks until one more request may be sent, or ctx ends.
func (l *adaptiveLimiter) wait(ctx context.Context) error {
	l.mu.Lock()
	l.sent++
	pause := time.Until(l.pauseUntil)
	l.mu.Unlock()
	if pause > 0 {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := l.limiter.Wait(ctx); err != nil {
		if ctx.Err() == nil {
			// rate's own error when the next token comes after the deadline: the run
			// ends with its context, not with an error of its own.
			return context.DeadlineExceeded
		}
		return ctx.Err()
	}
	return nil
}

// throttledBy records a 429 (retryAfter 0 when the service named no wait): the rate halves
// and, with a wait, every worker pauses until it has passed.
func (l *adaptiveLimiter) throttledBy(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttled++
	l.successes = 0
	current := l.limiter.Limit()
	if current == rate.Inf {
		// No limit yet: start from half the rate the run has reached.
		elapsed := max(time.Since(l.started).Seconds(), 1e-3)
		current = rate.Limit(float64(l.sent) / elapsed)
	}
	l.limiter.SetLimit(max(current/2, l.floor))
	if until := time.Now().Add(retryAfter); retryAfter > 0 && until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
}

// succeeded records a 2xx.
func (l *adaptiveLimiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.successes++; l.successes < raiseAfter {
		return
	}
	l.successes = 0
	current := l.limiter.Limit()
	if current == l.ceiling {
		return
	}
	step := l.ceiling / 10
	if l.ceiling == rate.Inf {
		step = current / 10
	}
	l.limiter.SetLimit(min(current+step, l.ceiling))
}

// rate is the current limit in requests per second, 0 for none.
func (l *adaptiveLimiter) rate() float64 {
	if r := l.limiter.Limit(); r != rate.Inf {
		return float64(r)
	}
	return 0
}

func (l *adaptiveLimiter) throttles() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.throttled
}
