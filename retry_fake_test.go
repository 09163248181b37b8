package whippyware_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// onAnswer is a transport that calls fn once, after the first answer with status arrives.
type onAnswer struct {
	next   http.RoundTripper
	status int
	once   sync.Once
	fn     func()
}

func (h *onAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(req)
	if err == nil && resp.StatusCode == h.status && h.fn != nil {
		h.once.Do(h.fn)
	}
	return resp, err
}

// TestBackoffEndsWithTheContext starts a 30-second wait between attempts and ends the
// call's context during it: the call must return the context's error long before the
// wait is over. The 5-second bound is liveness, not speed.
func TestBackoffEndsWithTheContext(t *testing.T) {
	cases := []struct {
		name  string
		fault wt.Fault
		call  func(context.Context, *whippyware.Client) error
		// deadline, when set, ends the context; otherwise it is cancelled as soon as the
		// faulted answer has arrived, so during the backoff that follows.
		deadline time.Duration
		want     error
	}{
		{
			name:  "GET cancelled while waiting after a 503",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath, Status: http.StatusServiceUnavailable},
			call: func(ctx context.Context, c *whippyware.Client) error {
				_, _, err := c.Providers.List(ctx, nil)
				return err
			},
			want: context.Canceled,
		},
		{
			// Without Retry-After: a wait longer than the context has left is not
			// begun, and the 429 comes back at once (as with a long Retry-After,
			// TestRetryAfterBeyondTheWait).
			name:  "POST with less time left than the wait after a 429",
			fault: wt.Fault{Method: http.MethodPost, Path: relProvidersPath, Status: http.StatusTooManyRequests},
			call: func(ctx context.Context, c *whippyware.Client) error {
				_, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "P", Code: "p"})
				return err
			},
			deadline: 200 * time.Millisecond,
			want:     whippyware.ErrRateLimited,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := wt.NewTestServer(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			hook := &onAnswer{next: srv.HTTPClient().Transport, status: tc.fault.Status, fn: cancel}
			if tc.deadline > 0 {
				var stop context.CancelFunc
				ctx, stop = context.WithTimeout(ctx, tc.deadline)
				defer stop()
				hook.fn = nil
			}
			c := srv.Client(whippyware.WithRetryWait(30*time.Second, 30*time.Second),
				whippyware.WithHTTPClient(&http.Client{Transport: hook}))
			_, err := c.Auth.Login(t.Context())
			require.NoError(t, err)
			srv.FailNext(1, tc.fault)

			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- tc.call(ctx, c) }()
			select {
			case err := <-done:
				assert.ErrorIs(t, err, tc.want)
				t.Logf("returned after %s: %v", time.Since(start).Round(time.Millisecond), err)
			case <-time.After(5 * time.Second):
				t.Fatal("the call kept waiting out its 30-second backoff after its context ended")
			}
			assert.Equal(t, 1, srv.RequestCount(tc.fault.Method, tc.fault.Path), "no attempt after the backoff")
		})
	}
}
