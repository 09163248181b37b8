package whippyware

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultClientDoesNotFollowRedirects: a redirect at login would resend the
// password to the host it names.
func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer service.Close()
	c, err := NewClient(service.URL, WithCredentials(testUser, testPassword), WithRetryWait(0, 0))
	require.NoError(t, err)
	_, resp, err := c.Providers.List(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Equal(t, int64(0), elsewhere.Load(), "nothing reached the redirect's host")
}

// A redirect within the service that keeps the method (307) sends the body again,
// through the GetBody send sets.
func TestRedirectResendsTheBody(t *testing.T) {
	c, mock := newKeyClient(t)
	var bodies []string
	mock.RegisterResponder(http.MethodPost, testAPI+"providers/", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		bodies = append(bodies, string(b))
		resp := httpmock.NewStringResponse(http.StatusTemporaryRedirect, "")
		resp.Header.Set("Location", testAPI+"providers-moved/")
		return resp, nil
	})
	mock.RegisterResponder(http.MethodPost, testAPI+"providers-moved/", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		bodies = append(bodies, string(b))
		assert.Equal(t, "Token "+testKey, req.Header.Get("Authorization"))
		return httpmock.NewStringResponse(201, providerJSON), nil
	})
	_, _, err := c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "Provider", Code: "provider_company"})
	require.NoError(t, err)
	require.Len(t, bodies, 2)
	assert.JSONEq(t, `{"name": "Provider", "code": "provider_company"}`, bodies[0])
	assert.Equal(t, bodies[0], bodies[1])
}

// countingServer starts a loopback server of h that counts the connections opened
// to it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // hijacked and dropped connections are expected
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &opened
}

// held makes a handler wait until the test ends or the request's context ends.
// Call it after starting the server: its cleanup frees the handler, and must run
// before the server's, which waits for every handler.
func held(t *testing.T) (wait func(*http.Request)) {
	ch := make(chan struct{})
	t.Cleanup(func() { close(ch) })
	return func(r *http.Request) {
		select {
		case <-ch:
		case <-r.Context().Done():
		}
	}
}

// callWithin runs call and fails the test if it has not returned within a bound
// that only a hang exceeds (liveness, not speed).
func callWithin(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not return: nothing bounded it")
		return nil
	}
}

func getProvider(ctx context.Context, c *Client) error {
	_, _, err := c.Providers.Get(ctx, 1)
	return err
}

// TestStalledServerTimesOutWithTheDefaultClient: a server that accepts and never
// answers ends a call with a deadline-less context, at the TLS handshake, at the
// response's headers, and at a login every call would wait for.
func TestStalledServerTimesOutWithTheDefaultClient(t *testing.T) {
	short := withTransportTimeouts(transportTimeouts{
		dial: 5 * time.Second, tlsHandshake: 50 * time.Millisecond, responseHeader: 50 * time.Millisecond, idle: time.Minute,
		attempt: 300 * time.Millisecond,
	})
	t.Run("headers, then a body that stalls", func(t *testing.T) {
		var wait func(*http.Request)
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"id": 1, "name": "`)
			w.(http.Flusher).Flush()
			wait(r)
		})
		wait = held(t)
		c, err := NewClient(srv.URL, WithKey(testKey), WithoutRetries(), short)
		require.NoError(t, err)
		err = callWithin(t, func() error { return getProvider(context.Background(), c) })
		require.ErrorIs(t, err, ErrUnexpectedResponse, "the body could not be read")
		// net/http words it "Client.Timeout exceeded" or not, as its timer and the
		// read race; the deadline is there either way.
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("no answer after the request", func(t *testing.T) {
		var wait func(*http.Request)
		srv, _ := countingServer(t, func(_ http.ResponseWriter, r *http.Request) { wait(r) })
		wait = held(t)
		c, err := NewClient(srv.URL, WithKey(testKey), WithRetryMax(1), WithRetryWait(0, 0), short)
		require.NoError(t, err)
		err = callWithin(t, func() error { return getProvider(context.Background(), c) })
		var connErr *ConnectionError
		require.ErrorAs(t, err, &connErr)
		assert.ErrorIs(t, err, ErrConnection)
		assert.Contains(t, err.Error(), "timeout awaiting response headers")
		assert.Equal(t, 2, connErr.Attempts, "a timed-out GET is retried")
		assert.True(t, connErr.MaybeSent)
	})
	t.Run("a login that never answers", func(t *testing.T) {
		var wait func(*http.Request)
		srv, _ := countingServer(t, func(_ http.ResponseWriter, r *http.Request) { wait(r) })
		wait = held(t)
		c, err := NewClient(srv.URL, WithCredentials(testUser, testPassword), WithoutRetries(), short)
		require.NoError(t, err)
		err = callWithin(t, func() error { return getProvider(context.Background(), c) })
		var connErr *ConnectionError
		require.ErrorAs(t, err, &connErr)
		assert.Contains(t, connErr.URL, "auth/login/")
		assert.Equal(t, "", c.Auth.Key())
	})
	t.Run("no TLS handshake", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var conns sync.WaitGroup
		go func() { // accepts, then says nothing
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				conns.Add(1)
				go func() {
					defer conns.Done()
					_, _ = io.Copy(io.Discard, conn) // until the client gives up and closes
					conn.Close()
				}()
			}
		}()
		t.Cleanup(func() { ln.Close(); conns.Wait() })
		c, err := NewClient("https://"+ln.Addr().String(), WithKey(testKey), WithoutRetries(), short)
		require.NoError(t, err)
		err = callWithin(t, func() error { return getProvider(context.Background(), c) })
		var connErr *ConnectionError
		require.ErrorAs(t, err, &connErr)
		assert.Contains(t, err.Error(), "TLS handshake timeout")
		assert.False(t, connErr.MaybeSent, "nothing is sent before the handshake")
	})
}

// TestGiveUpKeepsOtherCallsConnections: a call that gives up (retries exhausted)
// does not close the idle connection the next call reuses, on the default client
// and on a caller's own.
func TestGiveUpKeepsOtherCallsConnections(t *testing.T) {
	for _, name := range []string{"default client", "caller's client"} {
		t.Run(name, func(t *testing.T) {
			srv, opened := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/v1/providers/2/" {
					http.Error(w, `{"detail": "busy"}`, http.StatusServiceUnavailable)
					return
				}
				w.Write([]byte(providerJSON))
			})
			opts := []Option{WithKey(testKey), WithRetryMax(2), WithRetryWait(0, 0)}
			var own *http.Transport
			if name == "caller's client" {
				own = &http.Transport{}
				t.Cleanup(own.CloseIdleConnections)
				opts = append(opts, WithHTTPClient(&http.Client{Transport: own}))
			}
			c, err := NewClient(srv.URL, opts...)
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, getProvider(ctx, c))
			_, _, err = c.Providers.Get(ctx, 2)
			require.ErrorIs(t, err, ErrServer, "gave up after 3 attempts")
			require.NoError(t, getProvider(ctx, c))
			assert.Equal(t, int64(1), opened.Load(), "every call reused the first connection")
		})
	}
}

// TestDefaultPoolKeepsConnectionsForConcurrentCalls: 16 goroutines that call at once
// (held at the server until all 16 arrived, so each needs a connection of its own)
// find their connections again the next time.
func TestDefaultPoolKeepsConnectionsForConcurrentCalls(t *testing.T) {
	const callers = 16
	var mu sync.Mutex
	waiting, release := 0, make(chan struct{})
	srv, opened := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		waiting++
		ch := release
		if waiting == callers { // the round is complete: free it, and start the next
			close(release)
			waiting, release = 0, make(chan struct{})
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-time.After(10 * time.Second): // not all arrived: the counts below fail
		}
		w.Write([]byte(providerJSON))
	})
	c, err := NewClient(srv.URL, WithKey(testKey), WithRetryWait(0, 0))
	require.NoError(t, err)
	round := func() {
		errs := make(chan error, callers)
		for range callers {
			go func() { errs <- getProvider(context.Background(), c) }()
		}
		for range callers {
			assert.NoError(t, <-errs)
		}
	}
	round()
	require.Equal(t, int64(callers), opened.Load(), "one connection per caller in flight")
	round()
	assert.Equal(t, int64(callers), opened.Load(), "the second round opened no connection")
}

// tracingTransport stands for an instrumented transport (otelhttp's): it records
// each RoundTrip and the trace value of its request's context.
type tracingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string // "METHOD path trace"
}

type traceKey struct{}

func (t *tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	trace, _ := req.Context().Value(traceKey{}).(string)
	t.mu.Lock()
	t.seen = append(t.seen, req.Method+" "+req.URL.Path+" "+trace)
	t.mu.Unlock()
	return t.next.RoundTrip(req)
}

func (t *tracingTransport) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	seen := t.seen
	t.seen = nil
	return seen
}

// The guarantees README "Observability" gives a caller's instrumented transport:
// one RoundTrip per attempt (retries, the login and the resend after a 401
// included), each with the caller's context values, and the caller's
// *http.Client left as it was.
func TestInstrumentedTransportSeesOneRoundTripPerAttempt(t *testing.T) {
	mock := httpmock.NewMockTransport()
	tracer := &tracingTransport{next: mock}
	hc := &http.Client{Transport: tracer}
	c, err := NewClient(testBase, WithHTTPClient(hc), WithCredentials(testUser, testPassword), WithRetryWait(0, 0))
	require.NoError(t, err)
	logins := mockLogin(mock, testKey)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/",
		httpmock.NewStringResponder(503, "busy").Then(httpmock.NewStringResponder(503, "busy")).Then(httpmock.NewStringResponder(200, providerJSON)))
	mock.RegisterResponder(http.MethodPost, testAPI+"providers/", httpmock.NewStringResponder(503, `{"detail": "down"}`))
	ctx := context.WithValue(context.Background(), traceKey{}, "span-1")

	_, resp, err := c.Providers.Get(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, []string{
		"POST /prefix/api/v1/auth/login/ span-1", // the login keeps the values of the context that started it
		"GET /prefix/api/v1/providers/1/ span-1",
		"GET /prefix/api/v1/providers/1/ span-1",
		"GET /prefix/api/v1/providers/1/ span-1",
	}, tracer.take())

	_, resp, err = c.Providers.Create(ctx, &ProviderCreateRequest{Name: "n", Code: "c"})
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, []string{"POST /prefix/api/v1/providers/ span-1"}, tracer.take())

	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/",
		httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`).Then(httpmock.NewStringResponder(200, providerJSON)))
	_, resp, err = c.Providers.Get(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, []string{
		"GET /prefix/api/v1/providers/1/ span-1",
		"POST /prefix/api/v1/auth/login/ span-1",
		"GET /prefix/api/v1/providers/1/ span-1",
	}, tracer.take())
	assert.Equal(t, int64(2), logins.Load())

	assert.Same(t, tracer, hc.Transport, "the caller's transport is not wrapped in place")
	assert.Nil(t, hc.CheckRedirect, "the redirect guard is on the client's copy only")
}

// withTransportTimeouts sets the default client's transport timeouts, so that tests
// can meet them in milliseconds.
func withTransportTimeouts(t transportTimeouts) Option {
	return option(false, nil, func(c *config) { c.transportTimeouts = t })
}
