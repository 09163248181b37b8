package whippyware

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for what a review of the merged request path found.

// The transport may read a request's body after Do returns: over HTTP/2 the body
// is written on a goroutine of its own and the answer's headers can come first. A
// body reset then arrived cut short (1 MiB of 4) with no error, and raced.
func TestBodyIsWholeWhenTheAnswerComesFirst(t *testing.T) {
	got := make(chan int64, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush() // the answer's headers, then read the body
		n, _ := io.Copy(io.Discard, r.Body)
		got <- n
		_, _ = io.WriteString(w, `{"ok": true}`)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithKey(testKey), WithoutRetries(), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	big := json.RawMessage(`"` + strings.Repeat("x", 4<<20) + `"`)
	_, err = c.Do(context.Background(), http.MethodPost, "api/v1/x/", big, nil, WithCallTimeout(20*time.Second))
	require.NoError(t, err)
	assert.Equal(t, int64(len(big)), <-got, "the service got the whole body")
}

// With net/http's own transport its trace decides: a deadline that ends during the
// TLS handshake sent nothing, though the error (context deadline) proves nothing.
func TestMaybeSentFalseWhenTheHandshakeNeverEnded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() }) // held open, never a byte back
		}
	}()
	c, err := NewClient("https://"+ln.Addr().String(), WithKey(testKey), WithoutRetries())
	require.NoError(t, err)
	_, _, err = c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "P", Code: "p"},
		WithCallTimeout(200*time.Millisecond))
	var connErr *ConnectionError
	require.ErrorAs(t, err, &connErr)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, connErr.MaybeSent, "no connection was made: %v", err)
}

// A KeyEvent logged through slog's JSON handler would marshal its Key.
func TestKeyEventLogsWithoutItsKey(t *testing.T) {
	e := KeyEvent{Kind: KeyObtained, Key: testKey}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("key changed", "event", e)
		assert.NotContains(t, buf.String(), testKey, "%s handler: the log line holds the key", name)
		assert.Contains(t, buf.String(), "obtained", name)
	}
}

// The returned request's header is the caller's own: its values were the slices
// every later request sends (Accept's is shared by every client).
func TestReturnedRequestHeaderIsTheCallersOwn(t *testing.T) {
	var accept []string
	answer := func(req *http.Request) (*http.Response, error) { // sets Request, as net/http does
		accept = append(accept, req.Header.Get("Accept"))
		return &http.Response{StatusCode: 200, Header: http.Header{}, Request: req,
			Body: io.NopCloser(strings.NewReader(providerJSON)), ContentLength: -1}, nil
	}
	c, err := NewClient(testBase, WithKey(testKey), WithHTTPClient(&http.Client{Transport: roundTripFunc(answer)}))
	require.NoError(t, err)
	_, resp, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	resp.Request.Header.Values("Accept")[0] = "text/html" // the caller's copy
	_, _, err = c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"application/json", "application/json"}, accept)
}

// Attempts counts the attempt answered 401 also when the resend gets no answer.
func TestConnectionErrorAttemptsCountTheRequestBeforeTheRelogin(t *testing.T) {
	c, mock := newMockClient(t, WithKey("old-key"), WithoutRetries())
	mockLogin(mock, "new-key")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/",
		httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`).Then(httpmock.ConnectionFailure))
	_, _, err := c.Providers.Get(context.Background(), 1)
	var connErr *ConnectionError
	require.ErrorAs(t, err, &connErr)
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+testAPI+"providers/1/"])
	assert.Equal(t, 2, connErr.Attempts, "the request was sent twice")
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
