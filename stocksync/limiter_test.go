package stocksync

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimiterHalvesOn429AndRaisesBackToTheCeiling(t *testing.T) {
	l := newAdaptiveLimiter(100)
	assert.Equal(t, 100.0, l.rate())
	l.throttledBy(0)
	l.throttledBy(0)
	assert.Equal(t, 25.0, l.rate())
	assert.Equal(t, 2, l.throttles())
	for range raiseAfter - 1 {
		l.succeeded()
	}
	assert.Equal(t, 25.0, l.rate(), "not before a run of successes")
	l.succeeded()
	assert.Equal(t, 35.0, l.rate(), "one step: a tenth of the ceiling")
	for range 20 * raiseAfter {
		l.succeeded()
	}
	assert.Equal(t, 100.0, l.rate(), "never above the ceiling")
	for range 20 {
		l.throttledBy(0)
	}
	assert.Equal(t, 0.5, l.rate(), "never below the floor")
}

func TestLimiterWithoutCeilingStartsLimitingOnThe429(t *testing.T) {
	l := newAdaptiveLimiter(0)
	assert.Zero(t, l.rate(), "no limit")
	for range 10 {
		assert.NoError(t, l.wait(context.Background()))
	}
	l.throttledBy(0)
	assert.Positive(t, l.rate())
}

// A Retry-After holds every waiter back until it has passed (or its context ends).
func TestLimiterPausesEveryoneForRetryAfter(t *testing.T) {
	l := newAdaptiveLimiter(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.NoError(t, l.wait(ctx), "no pause yet")
	l.throttledBy(time.Hour)
	assert.ErrorIs(t, l.wait(ctx), context.DeadlineExceeded, "paused past the context's end")
}

// The configured rate holds from the first request: no burst of one per worker.
func TestLimiterAllowsNoBurst(t *testing.T) {
	l := newAdaptiveLimiter(1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	assert.NoError(t, l.wait(ctx), "the first request goes at once")
	assert.ErrorIs(t, l.wait(ctx), context.DeadlineExceeded, "the second waits a second, past the context's end")
}
