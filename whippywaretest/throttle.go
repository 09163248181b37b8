package whippywaretest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WithThrottle throttles every user's requests as DRF's UserRateThrottle does at rate:
// "N/s", "N/m", "N/h" or "N/d" (only the first letter of the period counts, so "50/sec"
// and "1000/minute" work, as in DRF's settings). Each user has a history of the times of
// the requests it let through; a request that finds rate requests in the last period
// is answered 429 with Retry-After and DRF's {"detail": "Request was throttled. Expected
// available in N seconds."}, N being DRF's wait() rounded up, and is not recorded.
//
// The throttle runs where DRF's check_throttles does: after authentication and the
// IsAuthenticated permission, so a request without a valid key is 401, never 429, and the
// login (authtoken's view has no throttle) is never throttled. Given more than once
// (a burst rate and a sustained one, as DRF's documentation pairs them), every throttle
// sees every request, as DRF asks each throttle in turn: one that lets a request through
// records it even when another refuses it, and the Retry-After is the longest wait.
//
// It reads the time with time.Now, as DRF's timer is time.time, so that testing/synctest's
// fake clock drives it; WithClock does not. Reset clears the histories. NewServer panics
// on a rate ParseThrottleRate refuses.
func WithThrottle(rate string) Option { return withThrottle(rate, false) }

// WithWriteThrottle is WithThrottle for writes only (POST, PUT, PATCH, DELETE): reads
// (GET, HEAD, OPTIONS) pass and are not counted, as with a DRF throttle whose cache key is
// None for safe methods.
func WithWriteThrottle(rate string) Option { return withThrottle(rate, true) }

func withThrottle(rate string, writesOnly bool) Option {
	return func(c *config) {
		requests, period, err := ParseThrottleRate(rate)
		if err != nil {
			panic(err.Error())
		}
		c.throttles = append(c.throttles, &throttle{requests: requests, period: period, writesOnly: writesOnly,
			history: map[string][]time.Time{}})
	}
}

// ParseThrottleRate reads a rate as DRF's SimpleRateThrottle.parse_rate does: a number of
// requests, "/", and a period whose first letter is s, m, h or d (a second, minute, hour
// or day). Zero requests throttles every request.
func ParseThrottleRate(rate string) (requests int, period time.Duration, err error) {
	num, unit, ok := strings.Cut(rate, "/")
	requests, numErr := strconv.Atoi(strings.TrimSpace(num))
	periods := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}
	switch {
	case !ok || strings.Contains(unit, "/"):
		return 0, 0, fmt.Errorf("whippywaretest: throttle rate %q: want N/s, N/m, N/h or N/d", rate)
	case numErr != nil || requests < 0:
		return 0, 0, fmt.Errorf("whippywaretest: throttle rate %q: the number of requests must be an integer, 0 or more", rate)
	case unit == "" || periods[unit[0]] == 0:
		return 0, 0, fmt.Errorf("whippywaretest: throttle rate %q: the period must be s, m, h or d", rate)
	}
	return requests, periods[unit[0]], nil
}

// throttle is one SimpleRateThrottle: the history of each user's requests it let through,
// oldest first, under its own lock (it is about pacing, not the API's state).
type throttle struct {
	requests   int
	period     time.Duration
	writesOnly bool

	mu      sync.Mutex
	history map[string][]time.Time
}

// allow is SimpleRateThrottle.allow_request for user's request at now, and, when it
// refuses, wait(): the wait it recommends. DRF's wait() is None only for a history longer
// than the rate (the rate lowered meanwhile), which a throttle whose rate never changes
// cannot have.
func (t *throttle) allow(user string, now time.Time) (allowed bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.history[user]
	// Drop the requests that have passed out of the period: those at or before now-period.
	old := 0
	for old < len(h) && !h[old].After(now.Add(-t.period)) {
		old++
	}
	h = h[old:]
	defer func() { t.history[user] = h }()
	if len(h) < t.requests {
		h = append(h, now)
		return true, 0
	}
	remaining := t.period
	if len(h) > 0 {
		remaining = t.period - now.Sub(h[0])
	}
	return false, remaining / time.Duration(t.requests-len(h)+1) // len(h) == t.requests here
}

// throttles are a server's throttles, in the order given.
type throttles []*throttle

// allow is APIView.check_throttles for an authenticated user's request: it asks every
// throttle, and answers 429 itself when any refuses, returning false.
func (ts throttles) allow(w http.ResponseWriter, r *http.Request, user string) bool {
	if len(ts) == 0 {
		return true
	}
	now := time.Now()
	refused, longest := false, time.Duration(0)
	for _, t := range ts {
		if t.writesOnly && isSafeMethod(viewMethod(r)) {
			continue
		}
		if allowed, wait := t.allow(user, now); !allowed {
			refused, longest = true, max(longest, wait)
		}
	}
	if !refused {
		return true
	}
	// exceptions.Throttled rounds the wait up with math.ceil; the handler sends it as
	// Retry-After when it is not 0.
	seconds := int(math.Ceil(longest.Seconds()))
	if seconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
	}
	writeDetail(w, http.StatusTooManyRequests, throttledDetail(seconds, true))
	return false
}

func (ts throttles) reset() {
	for _, t := range ts {
		t.mu.Lock()
		clear(t.history)
		t.mu.Unlock()
	}
}

// isSafeMethod is DRF's SAFE_METHODS.
func isSafeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// throttledDetail is exceptions.Throttled's message for a wait of seconds, rounded up
// (hasWait false: DRF had no wait to give).
func throttledDetail(seconds int, hasWait bool) string {
	switch {
	case !hasWait:
		return "Request was throttled."
	case seconds == 1:
		return "Request was throttled. Expected available in 1 second."
	}
	return fmt.Sprintf("Request was throttled. Expected available in %d seconds.", seconds)
}
