package whippyware

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
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
		p := retryPolicy{}
		ctx := context.WithValue(context.Background(), callStateKey{}, &callState{resendable: p.resendable(call{method: http.MethodPost, repeatable: repeatable})})
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

func TestRetriesGETAfter503(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/",
		httpmock.NewStringResponder(503, "busy").Then(httpmock.NewStringResponder(503, "busy")).Then(httpmock.NewStringResponder(200, providerJSON)))
	p, resp, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, int64(1), p.ID)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, mock.GetTotalCallCount())
}

func TestWritesAreNotRetriedAfter5xx(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			mock.RegisterResponder(method, `=~^`+testAPI+`providers/`, httpmock.NewStringResponder(503, `{"detail": "down"}`))
			var err error
			var resp *Response
			if method == http.MethodPost {
				_, resp, err = c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "P", Code: "p"})
			} else {
				_, resp, err = c.Providers.Update(context.Background(), 1, &ProviderUpdateRequest{Name: Ptr("P")})
			}
			require.ErrorIs(t, err, ErrServer)
			assert.Equal(t, 1, mock.GetTotalCallCount(), "a write must be sent once")
			assert.Equal(t, 503, resp.StatusCode)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 1, apiErr.Attempts)
			assert.Equal(t, "down", apiErr.Detail)
		})
	}
}

func TestRetryWritesOptInResendsTheSameBody(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithRetryNonIdempotent())
	var bodies []string
	mock.RegisterResponder(http.MethodPost, testAPI+"providers/", func(req *http.Request) (*http.Response, error) {
		var b bytes.Buffer
		_, _ = b.ReadFrom(req.Body)
		bodies = append(bodies, b.String())
		if len(bodies) < 3 {
			return httpmock.NewStringResponse(502, "<html>bad gateway</html>"), nil
		}
		return httpmock.NewStringResponse(201, providerJSON), nil
	})
	_, resp, err := c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "Provider", Code: "provider_company"})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	require.Len(t, bodies, 3)
	assert.Equal(t, bodies[0], bodies[1])
	assert.Equal(t, bodies[0], bodies[2])
}

func TestBackoff(t *testing.T) {
	withRetryAfter := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": []string{v}}}
	}
	assert.Equal(t, time.Duration(0), backoff(0, 0, 1, withRetryAfter("86400")))
	assert.Equal(t, 10*time.Second, backoff(time.Second, 10*time.Second, 0, withRetryAfter("86400")))
	assert.Equal(t, 2*time.Second, backoff(time.Second, 10*time.Second, 5, withRetryAfter("2")))
	assert.Equal(t, 10*time.Second, backoff(time.Second, 10*time.Second, 0, withRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))))
	for attempt := range 6 {
		want := time.Second << attempt
		got := backoff(time.Second, 10*time.Second, attempt, nil)
		assert.GreaterOrEqual(t, got, min(want, 10*time.Second), "attempt %d", attempt)
		assert.LessOrEqual(t, got, min(want*3/2, 10*time.Second), "attempt %d", attempt)
	}
	// An unreadable Retry-After falls back to the exponential wait.
	assert.Equal(t, time.Second, backoff(time.Second, time.Second, 0, withRetryAfter("soon")))
}

func TestConnectionFailureRetriedOnlyForReads(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	mock.RegisterResponder(http.MethodGet, testAPI+"stocks/1/",
		httpmock.Responder(httpmock.ConnectionFailure).Then(httpmock.NewStringResponder(200, `{"id": 1, "sku": "A"}`)))
	mock.RegisterResponder(http.MethodPost, testAPI+"stocks/", httpmock.ConnectionFailure)

	s, resp, err := c.Stocks.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, "A", s.SKU)
	assert.Equal(t, 2, resp.Attempts)

	_, resp, err = c.Stocks.Create(context.Background(), &StockCreateRequest{SKU: "A", Provider: "p", Location: "1", Stock: 1})
	require.Error(t, err)
	assert.Nil(t, resp, "no answer came")
	assert.Equal(t, 1, mock.GetCallCountInfo()["POST "+testAPI+"stocks/"], "a POST whose connection failed may have been applied: never resent")
	assert.Contains(t, err.Error(), "after 1 attempt")
}

func TestRetryPolicy(t *testing.T) {
	connErr := &url.Error{Op: "Get", URL: testAPI, Err: io.ErrUnexpectedEOF}
	certErr := &url.Error{Op: "Get", URL: testAPI, Err: &tls.CertificateVerificationError{Err: errors.New("unknown authority")}}
	outcomes := []struct {
		name      string
		status    int
		err       error
		always    bool // retried whatever the method
		resending bool // retried where resending is safe
	}{
		{"429", 429, nil, true, true},
		{"500", 500, nil, false, true},
		{"502", 502, nil, false, true},
		{"503", 503, nil, false, true},
		{"501", 501, nil, false, false},
		{"400", 400, nil, false, false},
		{"404", 404, nil, false, false},
		{"connection error", 0, connErr, false, true},
		{"untrusted certificate", 0, certErr, false, false},
	}
	for _, writes := range []bool{false, true} {
		p := retryPolicy{writes: writes}
		for _, method := range []string{"GET", "HEAD", "PUT", "DELETE", "POST", "PATCH"} {
			safe := writes || (method != "POST" && method != "PATCH")
			for _, o := range outcomes {
				ctx := context.WithValue(context.Background(), callStateKey{}, &callState{resendable: p.resendable(call{method: method})})
				var resp *http.Response
				if o.err == nil {
					resp = &http.Response{StatusCode: o.status, Header: http.Header{}}
				}
				retry, err := p.checkRetry(ctx, resp, o.err)
				assert.NoError(t, err)
				assert.Equal(t, o.always || (safe && o.resending), retry, "%s %s (retry writes %v)", method, o.name, writes)
			}
		}
	}
	cancelled, cancel := context.WithCancel(context.WithValue(context.Background(), callStateKey{}, &callState{retryMax: 3, resendable: true}))
	cancel()
	retry, err := retryPolicy{}.checkRetry(cancelled, &http.Response{StatusCode: 503}, nil)
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	var handshakes atomic.Int64
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			handshakes.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	c, err := NewClient(srv.URL, WithKey(testKey), WithRetryWait(0, 0))
	require.NoError(t, err)
	_, _, err = c.Providers.Get(context.Background(), 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after 1 attempt")
	var certErr *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &certErr)
	assert.Equal(t, int64(1), handshakes.Load())
}

// slowBody is an answer's body whose first read takes delay: a server that sends
// the headers, then the body late.
type slowBody struct {
	io.Reader
	delay time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	time.Sleep(b.delay)
	b.delay = 0
	return b.Reader.Read(p)
}

func (b *slowBody) Close() error { return nil }

// The retry's wait is checked against the deadline once the answer's body has
// come, so a slow error body cannot push a retry past the deadline, where the
// answer would be lost: the call returns the 503 it has, typed, and a retry that
// fits is still made. The clock is synctest's, so nothing here depends on the
// machine's speed.
func TestRetryWaitCountsFromTheCheck(t *testing.T) {
	for _, tc := range []struct {
		name         string
		bodyDelay    time.Duration // of the first answer's body
		deadline     time.Duration
		wantAttempts int
		wantTook     time.Duration
	}{
		// 150 ms for the body, then 200 ms of wait would end at 350 ms: past the deadline.
		{"no time left after the slow body", 150 * time.Millisecond, 300 * time.Millisecond, 1, 150 * time.Millisecond},
		// 50 ms for the body and 200 ms of wait: the retry at 250 ms fits in 400.
		{"time left after the slow body", 50 * time.Millisecond, 400 * time.Millisecond, 2, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var n atomic.Int32
				answer := roundTripFunc(func(req *http.Request) (*http.Response, error) {
					body := &slowBody{Reader: strings.NewReader(`{"detail":"unavail"}`)}
					if n.Add(1) == 1 {
						body.delay = tc.bodyDelay
					}
					return &http.Response{StatusCode: 503, Header: http.Header{}, Body: body, Request: req}, nil
				})
				c, err := NewClient(testBase, WithKey(testKey), WithHTTPClient(&http.Client{Transport: answer}),
					WithRetryWait(200*time.Millisecond, 200*time.Millisecond))
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
				defer cancel()
				start := time.Now()
				_, resp, err := c.Providers.Get(ctx, 1)
				require.ErrorIs(t, err, ErrServer, "the answer, not the deadline")
				require.NotNil(t, resp)
				assert.Equal(t, tc.wantAttempts, resp.Attempts)
				assert.Equal(t, tc.wantTook, time.Since(start))
			})
		})
	}
}

// A wait chosen for an earlier retry is not reused for a later one: after a 503 that
// asked for a second, a redirect the caller's client refused is retried at the
// exponential wait of the second retry (20 to 30 ms), not after another second.
func TestRetryWaitIsNotReused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var times []time.Time
		answer := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			times = append(times, time.Now())
			resp := &http.Response{Header: http.Header{}, Body: http.NoBody, Request: req}
			switch len(times) {
			case 1:
				resp.StatusCode = http.StatusServiceUnavailable
				resp.Header.Set("Retry-After", "1")
			case 2:
				resp.StatusCode = http.StatusFound
				resp.Header.Set("Location", req.URL.String())
			default:
				resp.StatusCode = http.StatusNotFound
			}
			return resp, nil
		})
		refuse := &http.Client{Transport: answer, CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("no redirects") }}
		c, err := NewClient(testBase, WithKey(testKey), WithHTTPClient(refuse), WithRetryWait(10*time.Millisecond, 5*time.Second))
		require.NoError(t, err)
		_, _, err = c.Providers.Get(context.Background(), 1)
		require.ErrorIs(t, err, ErrNotFound)
		require.Len(t, times, 3)
		assert.Equal(t, time.Second, times[1].Sub(times[0]), "the 503's Retry-After")
		assert.GreaterOrEqual(t, times[2].Sub(times[1]), 20*time.Millisecond)
		assert.LessOrEqual(t, times[2].Sub(times[1]), 30*time.Millisecond, "the 503's second was waited again")
	})
}

// OPTIONS changes nothing, so it is resent after a 5xx like a GET (the README's
// table says so).
func TestOptionsRetriedLikeAGet(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodOptions, testAPI+"x/", httpmock.NewStringResponder(503, `{"detail": "down"}`))
	resp, err := c.Do(context.Background(), http.MethodOptions, "api/v1/x/", nil, nil, WithCallRetryMax(2))
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 3, resp.Attempts)
}

// A wait the call cannot afford returns the answer instead of sleeping into the
// deadline: Retry-After or not, 429 or 5xx.
func TestBackoffLongerThanTheDeadlineReturnsTheAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			c, mock := newMockClient(t, WithKey(testKey), WithRetryWait(time.Second, 5*time.Second))
			mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(status, `{"detail":"slow"}`))
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			_, resp, err := c.Providers.Get(ctx, 1)
			cancel()
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "status %d", status)
			assert.Equal(t, status, apiErr.StatusCode)
			require.NotNil(t, resp, "status %d", status)
			assert.Equal(t, 1, resp.Attempts, "status %d: no attempt after a wait it could not afford", status)
		}
	})
}

// A lost connection is retried only when the wait fits the time the context has
// left, as an answer is: otherwise the call returns the connection's own error at
// once, rather than sleeping into the deadline and returning only that.
func TestLostConnectionRetriedOnlyWhenTheWaitFits(t *testing.T) {
	for _, tc := range []struct {
		name         string
		deadline     time.Duration
		wantAttempts int
		wantTook     time.Duration
	}{
		{"the wait does not fit", time.Second, 1, 0},
		{"the wait fits", 3 * time.Second, 2, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var attempts int
				hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
					attempts++
					return nil, io.ErrUnexpectedEOF
				})}
				c, err := NewClient(testBase, WithKey(testKey), WithHTTPClient(hc), WithRetryMax(1),
					WithRetryWait(2*time.Second, 2*time.Second))
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
				defer cancel()
				start := time.Now()
				_, _, err = c.Providers.Get(ctx, 1)
				var connErr *ConnectionError
				require.ErrorAs(t, err, &connErr)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "the connection's error, not the deadline's")
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
				assert.Equal(t, tc.wantAttempts, attempts)
				assert.Equal(t, tc.wantAttempts, connErr.Attempts)
				assert.Equal(t, tc.wantTook, time.Since(start))
			})
		})
	}
}
