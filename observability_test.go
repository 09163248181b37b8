package whippyware

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// Over a real connection, net/http calls the hooks of a trace the caller put in
// the context: the client's own trace does not hide it.
func TestCallersTraceSeesTheConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, providerJSON)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithKey(testKey))
	require.NoError(t, err)
	var gotConn, reused atomic.Int64
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			gotConn.Add(1)
			if info.Reused {
				reused.Add(1)
			}
		},
	})
	for range 2 {
		_, _, err = c.Providers.Get(ctx, 1)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(2), gotConn.Load())
	assert.Equal(t, int64(1), reused.Load(), "the second call reuses the first one's connection")
}
