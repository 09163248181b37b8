package whippyware

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throttled answers every POST to providers/ with a 429 asking for retryAfter.
func throttled(mock *httpmock.MockTransport, retryAfter string) {
	mock.RegisterResponder(http.MethodPost, testAPI+"providers/", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(429, `{"detail": "Request was throttled. Expected available in `+retryAfter+` seconds."}`)
		resp.Header.Set("Retry-After", retryAfter)
		return resp, nil
	})
}

// TestRetryAfterBeyondTheWaitReturnsThe429AtOnce: when the service asks for longer
// than the longest wait, or than the context has left, the 429 comes back at once,
// neither retried early nor waited into the deadline.
func TestRetryAfterBeyondTheWaitReturnsThe429AtOnce(t *testing.T) {
	cases := []struct {
		name       string
		maxWait    time.Duration
		deadline   time.Duration // of the call's context
		retryAfter string
		want       time.Duration
	}{
		{"longer than the longest wait", 0, 20 * time.Second, "86400", 24 * time.Hour},
		{"longer than the context has left", time.Hour, 5 * time.Second, "60", time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newKeyClient(t, WithRetryMax(2), WithRetryWait(0, tc.maxWait))
			throttled(mock, tc.retryAfter)
			ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
			defer cancel()
			_, resp, err := c.Providers.Create(ctx, &ProviderCreateRequest{Name: "P", Code: "p"})
			require.ErrorIs(t, err, ErrRateLimited)
			assert.NoError(t, ctx.Err(), "returned before the deadline, not at it")
			assert.Equal(t, 1, resp.Attempts)
			assert.Equal(t, 1, mock.GetTotalCallCount(), "no retry before the time the service asked for")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.want, apiErr.RetryAfter)
		})
	}
	t.Run("within both it is waited and retried", func(t *testing.T) {
		c, mock := newKeyClient(t, WithRetryMax(2))
		throttled(mock, "0")
		_, resp, err := c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "P", Code: "p"})
		require.ErrorIs(t, err, ErrRateLimited)
		assert.Equal(t, 3, resp.Attempts, "429 is retried even for POST")
		assert.Contains(t, err.Error(), "after 3 attempts")
	})
}

// TestRetryAfterNowWaitsTheMinimum: a Retry-After of 0, a negative number or a date
// past waits the minimum wait, not nothing.
func TestRetryAfterNowWaitsTheMinimum(t *testing.T) {
	for _, v := range []string{"0", "-5", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)} {
		resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": []string{v}}}
		assert.Equal(t, time.Second, backoff(time.Second, 10*time.Second, 0, resp), "Retry-After: %s", v)
	}
}

// TestRepeatableRequestsRetriedLikeAGet: login and expire-token are POSTs that are
// safe to resend, so their 5xx (but 501) and connection errors are retried as a
// GET's are, without WithRetryNonIdempotent.
func TestRepeatableRequestsRetriedLikeAGet(t *testing.T) {
	for _, repeatable := range []bool{false, true} {
		ctx := withCallState(context.Background(), &callState{method: http.MethodPost, repeatable: repeatable})
		for _, status := range []int{500, 502, 503} {
			retry, err := retryPolicy{}.checkRetry(ctx, &http.Response{StatusCode: status, Header: http.Header{}}, nil)
			require.NoError(t, err)
			assert.Equal(t, repeatable, retry, "%d (repeatable %v)", status, repeatable)
		}
		retry, _ := retryPolicy{}.checkRetry(ctx, &http.Response{StatusCode: 501, Header: http.Header{}}, nil)
		assert.False(t, retry, "501 is never retried")
		retry, _ = retryPolicy{}.checkRetry(ctx, nil, io.ErrUnexpectedEOF)
		assert.Equal(t, repeatable, retry, "a connection error (repeatable %v)", repeatable)
	}
}
