package whippywaretest_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The throttle is checked against DRF's SimpleRateThrottle (rest_framework/throttling.py):
// allow_request drops the history entries at or before now - duration and allows while
// fewer than num_requests remain; wait() is (duration - (now - oldest)) / (num_requests -
// len(history) + 1); exceptions.Throttled rounds it up and words it, singular for 1.
// synctest's clock makes the times exact.

func requireThrottled(t *testing.T, r reply, seconds string, detail string) {
	t.Helper()
	requireJSON(t, r, http.StatusTooManyRequests, `{"detail": "`+detail+`"}`)
	assert.Equal(t, seconds, r.header.Get("Retry-After"))
}

// A minute window: the fourth request in it waits for the first to leave the window, and
// the wait is the oldest entry's remaining time, rounded up.
func TestThrottlePerMinuteWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dial(t, wt.WithThrottle("3/m"))
		for range 3 { // at 0 s, 10 s and 20 s
			require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
			time.Sleep(10 * time.Second)
		}
		// At 30 s: the oldest (0 s) leaves the window at 60 s.
		r := c.do(http.MethodGet, "/api/v1/stocks/", nil)
		requireThrottled(t, r, "30", "Request was throttled. Expected available in 30 seconds.")
		assert.Equal(t, "GET, POST, HEAD, OPTIONS", r.header.Get("Allow"), "the view's headers, as on any answer of it")

		time.Sleep(29*time.Second + 500*time.Millisecond) // 59.5 s: half a second left
		requireThrottled(t, c.do(http.MethodGet, "/api/v1/stocks/", nil), "1",
			"Request was throttled. Expected available in 1 second.")

		time.Sleep(500 * time.Millisecond) // 60 s: the entry at 0 s is at now - duration, dropped
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
		// The refused requests were not recorded: the next slot frees when the 10 s entry
		// leaves, at 70 s.
		requireThrottled(t, c.do(http.MethodGet, "/api/v1/stocks/", nil), "10",
			"Request was throttled. Expected available in 10 seconds.")
		time.Sleep(10 * time.Second)
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
	})
}

// Each user has a history of its own (UserRateThrottle keys it by user).
func TestThrottleIsPerUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := wt.NewTestServer(t, wt.WithoutListener(), wt.WithUser("alice", "a"), wt.WithUser("bob", "b"), wt.WithThrottle("1/s"))
		alice, bob := &conn{t: t, srv: srv, http: srv.HTTPClient()}, &conn{t: t, srv: srv, http: srv.HTTPClient()}
		alice.key, bob.key = alice.login("alice", "a"), bob.login("bob", "b")
		assert.Equal(t, http.StatusOK, alice.do(http.MethodGet, "/api/v1/", nil).status)
		assert.Equal(t, http.StatusOK, bob.do(http.MethodGet, "/api/v1/", nil).status, "alice's request is not bob's")
		requireThrottled(t, alice.do(http.MethodGet, "/api/v1/", nil), "1", "Request was throttled. Expected available in 1 second.")
		// The login has no throttle (authtoken's view), and it is not counted.
		assert.NotEmpty(t, alice.login("alice", "a"))
	})
}

// Authentication and the permission come first: a request without a valid key is 401
// however many came before it, and is not counted.
func TestThrottleComesAfterAuthentication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dial(t, wt.WithThrottle("1/h"))
		key := c.key
		c.key = ""
		for range 3 {
			assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
		}
		c.key = key
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
		requireThrottled(t, c.do(http.MethodGet, "/api/v1/stocks/", nil), "3600",
			"Request was throttled. Expected available in 3600 seconds.")
	})
}

// A write throttle counts only POST, PUT, PATCH and DELETE.
func TestWriteThrottleLetsReadsPass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dial(t, wt.WithWriteThrottle("2/s"))
		seedProvider(c.srv, "erp", "110")
		stock := func(sku string) map[string]any {
			return map[string]any{"sku": sku, "provider": "erp", "location": "110", "stock": 1}
		}
		c.create("/api/v1/stocks/", stock("A"))
		for range 5 {
			assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status, "reads are not throttled")
		}
		c.create("/api/v1/stocks/", stock("B"))
		r := c.do(http.MethodPost, "/api/v1/stocks/", stock("C"))
		requireThrottled(t, r, "1", "Request was throttled. Expected available in 1 second.")
		assert.Len(t, c.srv.Stocks(), 2, "a throttled create stores nothing")
		time.Sleep(time.Second)
		c.create("/api/v1/stocks/", stock("C"))
	})
}

// Two throttles, as DRF's documentation pairs a burst and a sustained rate: each records
// the requests it lets through, even one the other refuses, and the longest wait is the
// answer's.
func TestThrottlesBurstAndSustained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dial(t, wt.WithThrottle("2/s"), wt.WithThrottle("3/m"))
		get := func() reply { return c.do(http.MethodGet, "/api/v1/", nil) }
		assert.Equal(t, http.StatusOK, get().status)
		assert.Equal(t, http.StatusOK, get().status)
		// The burst throttle refuses (wait 1 s); the sustained one lets it through and
		// records it: its third.
		requireThrottled(t, get(), "1", "Request was throttled. Expected available in 1 second.")
		time.Sleep(time.Second)
		// The burst throttle has room again; the sustained one is full until 60 s.
		requireThrottled(t, get(), "59", "Request was throttled. Expected available in 59 seconds.")
	})
}

// Reset clears the histories, as on a new server.
func TestThrottleReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dial(t, wt.WithThrottle("1/d"))
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/", nil).status)
		requireThrottled(t, c.do(http.MethodGet, "/api/v1/", nil), "86400",
			"Request was throttled. Expected available in 86400 seconds.")
		c.srv.Reset()
		c.key = c.login(wt.DefaultUsername, wt.DefaultPassword)
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/", nil).status)
	})
}

func TestParseThrottleRate(t *testing.T) {
	for rate, want := range map[string]struct {
		n   int
		per time.Duration
	}{
		"50/s": {50, time.Second}, "50/sec": {50, time.Second}, "1000/minute": {1000, time.Minute},
		"7/h": {7, time.Hour}, "7/hour": {7, time.Hour}, "1/d": {1, 24 * time.Hour}, "0/s": {0, time.Second},
	} {
		n, per, err := wt.ParseThrottleRate(rate)
		if assert.NoError(t, err, rate) {
			assert.Equal(t, want.n, n, rate)
			assert.Equal(t, want.per, per, rate)
		}
	}
	for _, rate := range []string{"", "50", "50/", "50/x", "x/s", "-1/s", "1.5/s", "1/s/s"} {
		_, _, err := wt.ParseThrottleRate(rate)
		assert.Error(t, err, "%q", rate)
	}
	assert.PanicsWithValue(t, `whippywaretest: throttle rate "5/w": the period must be s, m, h or d`,
		func() { wt.NewServer(wt.WithoutListener(), wt.WithThrottle("5/w")) })
}
