package whippyware

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The reliability tests of the transport: timeouts of the default client, typed
// connection errors, and connections kept for reuse. They run on loopback servers of
// their own (not the fake, which this package cannot import).

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

// TestConnectionErrorsSayWhetherTheRequestMayHaveArrived: a request without an
// answer is a *ConnectionError matching ErrConnection, which tells a POST that may
// have been applied from one that cannot have been, and keeps the context's errors.
func TestConnectionErrorsSayWhetherTheRequestMayHaveArrived(t *testing.T) {
	create := func(ctx context.Context, c *Client) error {
		_, _, err := c.Providers.Create(ctx, &ProviderCreateRequest{Name: "P", Code: "p"})
		return err
	}
	t.Run("dropped after the request arrived", func(t *testing.T) {
		var arrived atomic.Int64
		srv, _ := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
			arrived.Add(1)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close() // applied, answer lost
			}
		})
		c, err := NewClient(srv.URL, WithKey(testKey), WithRetryWait(0, 0))
		require.NoError(t, err)
		err = create(context.Background(), c)
		var connErr *ConnectionError
		require.ErrorAs(t, err, &connErr)
		assert.ErrorIs(t, err, ErrConnection)
		assert.True(t, connErr.MaybeSent, "the service may have applied it")
		assert.Equal(t, 1, connErr.Attempts, "a POST is not resent")
		assert.Equal(t, int64(1), arrived.Load())
		assert.Contains(t, err.Error(), "it may have reached the service")
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close()) // nothing listens there now
		c, err := NewClient("http://"+addr, WithKey(testKey), WithRetryMax(2), WithRetryWait(0, 0))
		require.NoError(t, err)
		for name, call := range map[string]func(context.Context, *Client) error{"GET": getProvider, "POST": create} {
			err = call(context.Background(), c)
			var connErr *ConnectionError
			require.ErrorAs(t, err, &connErr, name)
			assert.False(t, connErr.MaybeSent, "%s: no connection, nothing sent: safe to send again", name)
			assert.Contains(t, err.Error(), "it never reached the service")
			var opErr *net.OpError
			assert.ErrorAs(t, err, &opErr, "%s: the cause is kept", name)
		}
	})
	t.Run("a transport of its own", func(t *testing.T) {
		// An in-process or instrumented transport calls no net/http trace hook, so
		// only an error that proves nothing left (a failed dial) may say so.
		for _, tc := range []struct {
			name      string
			err       error
			maybeSent bool
		}{
			{"answer lost after the handler ran", io.ErrUnexpectedEOF, true},
			{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, false},
			{"name not found", &net.DNSError{Err: "no such host", Name: "whippy.test", IsNotFound: true}, false},
		} {
			var handled atomic.Int64
			hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				if tc.maybeSent {
					handled.Add(1) // the service applied the write
				}
				return nil, tc.err
			})}
			c, err := NewClient("https://whippy.test", WithKey(testKey), WithHTTPClient(hc), WithRetryWait(0, 0))
			require.NoError(t, err)
			err = create(context.Background(), c)
			var connErr *ConnectionError
			require.ErrorAs(t, err, &connErr, tc.name)
			assert.Equal(t, tc.maybeSent, connErr.MaybeSent, tc.name)
			assert.ErrorIs(t, err, tc.err, "%s: the cause is kept", tc.name)
		}
	})
	t.Run("an answer before the failure", func(t *testing.T) {
		// An attempt that got an answer reached the service, whatever the next
		// attempt's error says, and so did one whose answer came as the context ended.
		dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for _, tc := range []struct {
			name    string
			ctx     context.Context
			answers []func() (*http.Response, error)
		}{
			{"503, then a refused dial", context.Background(), []func() (*http.Response, error){
				func() (*http.Response, error) { return &http.Response{StatusCode: 503, Body: http.NoBody}, nil },
				func() (*http.Response, error) { return nil, dialErr },
			}},
			{"200 as the context ends", ctx, []func() (*http.Response, error){
				func() (*http.Response, error) {
					cancel()
					return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(providerJSON))}, nil
				},
			}},
		} {
			var n atomic.Int64
			hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				return tc.answers[min(int(n.Add(1)), len(tc.answers))-1]()
			})}
			c, err := NewClient("https://whippy.test", WithKey(testKey), WithHTTPClient(hc), WithRetryWait(0, 0), WithRetryMax(1))
			require.NoError(t, err)
			_, _, err = c.Providers.Get(tc.ctx, 1)
			var connErr *ConnectionError
			require.ErrorAs(t, err, &connErr, tc.name)
			assert.True(t, connErr.MaybeSent, tc.name)
		}
	})
	t.Run("context cancelled while waiting for the answer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var wait func(*http.Request)
		srv, _ := countingServer(t, func(_ http.ResponseWriter, r *http.Request) {
			cancel()
			wait(r)
		})
		wait = held(t)
		c, err := NewClient(srv.URL, WithKey(testKey), WithRetryWait(0, 0))
		require.NoError(t, err)
		err = create(ctx, c)
		require.ErrorIs(t, err, context.Canceled)
		var connErr *ConnectionError
		require.ErrorAs(t, err, &connErr)
		assert.True(t, connErr.MaybeSent)
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

// roundTripFunc is a transport of the test's own, which calls no net/http trace hook.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
