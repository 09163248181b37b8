package whippyware

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A transport that breaks the RoundTripper contract by adding to a request's header
// changes that request only: the values send shares between requests are never
// written into.
func TestTransportWritingIntoAHeaderChangesThatRequestOnly(t *testing.T) {
	c, mock := newKeyClient(t)
	var seen []http.Header
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		seen = append(seen, req.Header.Clone())
		req.Header.Add("Accept", "text/plain")
		req.Header.Add("Authorization", "Basic x")
		req.Header.Add("User-Agent", "other")
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	for range 3 {
		_, _, err := c.Providers.Get(context.Background(), 1)
		require.NoError(t, err)
	}
	require.Len(t, seen, 3)
	for _, h := range seen {
		assert.Equal(t, []string{"application/json"}, h["Accept"])
		assert.Equal(t, []string{"Token " + testKey}, h["Authorization"])
		assert.Equal(t, []string{defaultUserAgent}, h["User-Agent"])
	}
}

// The request send builds is what http.NewRequest would build from the same URL.
func TestSentRequestMatchesNewRequest(t *testing.T) {
	c, mock := newKeyClient(t)
	var got *http.Request
	mock.RegisterResponder(http.MethodPatch, testAPI+"providers/7/", func(req *http.Request) (*http.Response, error) {
		got = req
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	_, _, err := c.Providers.Update(context.Background(), 7, &ProviderUpdateRequest{Name: Ptr("P")})
	require.NoError(t, err)
	want, err := http.NewRequest(http.MethodPatch, testAPI+"providers/7/", bytes.NewReader([]byte(`{"name":"P"}`)))
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, want.URL.String(), got.URL.String())
	assert.Equal(t, want.Host, got.Host)
	assert.Equal(t, want.Proto, got.Proto)
	assert.Equal(t, want.ContentLength, got.ContentLength)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.NotNil(t, got.GetBody)
	again, err := got.GetBody()
	require.NoError(t, err)
	b, _ := io.ReadAll(again)
	assert.Equal(t, `{"name":"P"}`, string(b))
}

// A login's Response keeps neither the body it sent, which holds the password, nor
// a way to read it again.
func TestLoginResponseKeepsNoBody(t *testing.T) {
	// A transport that sets the answer's Request, as net/http's do (httpmock does not).
	answer := func(req *http.Request) (*http.Response, error) {
		_, _ = io.Copy(io.Discard, req.Body)
		return &http.Response{
			StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"key": "` + testKey + `"}`)), ContentLength: -1, Request: req,
		}, nil
	}
	c, err := NewClient(testBase, WithCredentials(testUser, testPassword),
		WithHTTPClient(&http.Client{Transport: roundTripFunc(answer)}))
	require.NoError(t, err)
	resp, err := c.Auth.Login(context.Background())
	require.NoError(t, err)
	require.NotNil(t, resp.Request)
	assert.Nil(t, resp.Request.Body)
	assert.Nil(t, resp.Request.GetBody)
	assert.Empty(t, resp.Request.Header.Get("Authorization"))
}

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
	addr := rawListener(t, func(conn net.Conn) {
		t.Cleanup(func() { conn.Close() }) // held open, never a byte back
	})
	c, err := NewClient("https://"+addr, WithKey(testKey), WithoutRetries())
	require.NoError(t, err)
	_, _, err = c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "P", Code: "p"},
		WithCallTimeout(200*time.Millisecond))
	var connErr *ConnectionError
	require.ErrorAs(t, err, &connErr)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, connErr.MaybeSent, "no connection was made: %v", err)
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

// notARecord are 2xx answers that decode without error into a zero record: what a
// maintenance page, a proxy or a broken deployment may answer.
var notARecord = map[string]string{
	"null":                 `null`,
	"empty object":         `{}`,
	"detail":               `{"detail": "maintenance"}`,
	"id zero":              `{"id": 0, "name": "Provider", "code": "provider_company"}`,
	"fields but no id":     `{"name": "Provider", "code": "provider_company", "is_active": true}`,
	"record in a list":     `[{"id": 1}]`,
	"a page, not a record": `{"count": 1, "next": null, "previous": null, "results": [{"id": 1}]}`,
}

// TestRecordAnswersWithoutAnIDAreUnexpected: Get, Create and Update of every
// resource refuse an answer that is not a record, instead of returning a zero one.
func TestRecordAnswersWithoutAnIDAreUnexpected(t *testing.T) {
	calls := map[string]struct {
		method, path string
		status       int
		call         func(context.Context, *Client) (any, *Response, error)
	}{
		"Providers.Get": {http.MethodGet, "providers/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Get(ctx, 1)
		}},
		"Providers.Create": {http.MethodPost, "providers/", 201, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Create(ctx, &ProviderCreateRequest{Name: "P", Code: "p"})
		}},
		"Providers.Update": {http.MethodPatch, "providers/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Update(ctx, 1, &ProviderUpdateRequest{Name: Ptr("P")})
		}},
		"Stocks.Get": {http.MethodGet, "stocks/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Stocks.Get(ctx, 1)
		}},
		"StockLists.Create": {http.MethodPost, "stock-lists/", 201, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockLists.Create(ctx, &StockListCreateRequest{Code: "a", Name: "A"})
		}},
		"StockListRules.Get": {http.MethodGet, "stock-list-rules/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockListRules.Get(ctx, 1)
		}},
		"StockLocations.Update": {http.MethodPatch, "stock-locations/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockLocations.Update(ctx, 1, &StockLocationUpdateRequest{Name: Ptr("110")})
		}},
	}
	for callName, tc := range calls {
		for bodyName, body := range notARecord {
			t.Run(callName+"/"+bodyName, func(t *testing.T) {
				c, mock := newKeyClient(t)
				mock.RegisterResponder(tc.method, testAPI+tc.path, httpmock.NewStringResponder(tc.status, body))
				got, resp, err := tc.call(context.Background(), c)
				require.ErrorIs(t, err, ErrUnexpectedResponse)
				assert.Nil(t, got, "no zero record")
				require.NotNil(t, resp, "the server answered")
				assert.Equal(t, tc.status, resp.StatusCode)
				assert.Contains(t, err.Error(), tc.path, "the error names the call")
				if bodyName == "detail" {
					assert.Contains(t, err.Error(), "maintenance", "the error quotes the start of the body")
				}
			})
		}
		t.Run(callName+"/204 with no body", func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(tc.method, testAPI+tc.path, httpmock.NewStringResponder(http.StatusNoContent, ""))
			got, _, err := tc.call(context.Background(), c)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Nil(t, got)
		})
	}
	t.Run("a record with an id is taken", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(200, providerJSON))
		p, _, err := c.Providers.Get(context.Background(), 1)
		require.NoError(t, err)
		assert.Equal(t, int64(1), p.ID)
	})
}

// TestPageAnswersWithoutResultsAreUnexpected: List and All refuse an answer that is
// not a page (a reconciling job would read it as "no stock"), or a page holding
// something that is not a record; an empty page is a page.
func TestPageAnswersWithoutResultsAreUnexpected(t *testing.T) {
	notAPage := map[string]string{
		"null":                   `null`,
		"empty object":           `{}`,
		"detail":                 `{"detail": "maintenance"}`,
		"results null":           `{"count": 0, "next": null, "previous": null, "results": null}`,
		"count but no results":   `{"count": 3, "next": null, "previous": null}`,
		"a record, not a page":   providerJSON,
		"a result with no id":    `{"count": 2, "next": null, "previous": null, "results": [{"id": 1}, {"sku": "A"}]}`,
		"a result that is empty": `{"count": 1, "next": null, "previous": null, "results": [{}]}`,
	}
	for name, body := range notAPage {
		t.Run("List/"+name, func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/", httpmock.NewStringResponder(200, body))
			page, resp, err := c.Stocks.List(context.Background(), nil)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Nil(t, page)
			require.NotNil(t, resp)
			assert.Equal(t, 200, resp.StatusCode)
		})
		t.Run("All/"+name, func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/", httpmock.NewStringResponder(200, body))
			var errs []error
			for s, err := range c.Stocks.All(context.Background(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				t.Errorf("All handed over %+v from an answer that is not a page", s)
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrUnexpectedResponse)
		})
	}
	t.Run("an empty page is a page", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
			httpmock.NewStringResponder(200, `{"count": 0, "next": null, "previous": null, "results": []}`))
		page, _, err := c.Stocks.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Empty(t, page.Results)
		for s, err := range c.Stocks.All(context.Background(), nil) {
			t.Errorf("All yielded %v, %v from an empty list", s, err)
		}
	})
}

// TestLoginAnswerNames: the documented answer is {"key": ...}; Django REST
// framework's own obtain_auth_token view answers {"token": ...}. Either logs in, and
// the key goes out with the next call.
func TestLoginAnswerNames(t *testing.T) {
	cases := []struct {
		name, body, key string
	}{
		{"key", `{"key": "key-from-key"}`, "key-from-key"},
		{"token", `{"token": "key-from-token"}`, "key-from-token"},
		{"both, key first", `{"token": "key-from-token", "key": "key-from-key"}`, "key-from-key"},
		{"token, key empty", `{"key": "", "token": "key-from-token"}`, "key-from-token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t)
			mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(200, tc.body))
			rec := recordJSON(mock, http.MethodGet, testAPI+"providers/1/", 200, providerJSON)
			_, _, err := c.Providers.Get(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, "Token "+tc.key, rec.Load().req.Header.Get("Authorization"))
			assert.Equal(t, tc.key, c.Auth.Key())
		})
	}
	for name, body := range map[string]string{
		"neither":       `{"user": "test"}`,
		"both empty":    `{"key": "", "token": ""}`,
		"null":          `null`,
		"204 (no body)": ``,
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t)
			status := 200
			if body == "" {
				status = http.StatusNoContent
			}
			mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(status, body))
			_, err := c.Auth.Login(context.Background())
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Equal(t, "", c.Auth.Key())
		})
	}
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

// Every attempt that carries a body says its length (Content-Length, never a
// chunked body, which Django does not read): the first, each retry and the resend
// after a re-login, and the login itself; through the default client to a server,
// and through a caller's http.Client whose transport is httpmock (no wire, so the
// request's own ContentLength is what a server would be told).
func TestEveryAttemptCarriesContentLength(t *testing.T) {
	type seen struct {
		path          string
		contentLength int64
		chunked       bool
		body          int
	}
	for _, viaMock := range []bool{false, true} {
		t.Run(fmt.Sprintf("httpmock %v", viaMock), func(t *testing.T) {
			var mu sync.Mutex
			var requests []seen
			var posts atomic.Int32
			// answer records r and returns the status and body it gets: two 503s,
			// a 401, then the created provider.
			answer := func(r *http.Request) (int, string) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				requests = append(requests, seen{r.URL.Path, r.ContentLength, slices.Contains(r.TransferEncoding, "chunked"), len(b)})
				mu.Unlock()
				if strings.HasSuffix(r.URL.Path, "/auth/login/") {
					return http.StatusOK, `{"key": "` + testKey + `"}`
				}
				switch posts.Add(1) {
				case 1, 2:
					return http.StatusServiceUnavailable, ""
				case 3:
					return http.StatusUnauthorized, ""
				}
				return http.StatusCreated, providerJSON
			}
			opts := []Option{WithCredentials(testUser, testPassword), WithKey("old-key"), WithRetryWait(0, 0)}
			base := testBase
			if viaMock {
				mock := httpmock.NewMockTransport()
				mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
					return httpmock.NewStringResponse(answer(r)), nil
				})
				opts = append(opts, WithHTTPClient(&http.Client{Transport: mock}))
			} else {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					status, body := answer(r)
					w.WriteHeader(status)
					_, _ = io.WriteString(w, body)
				}))
				defer srv.Close()
				base = srv.URL
			}
			c, err := NewClient(base, opts...)
			require.NoError(t, err)
			_, resp, err := c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "Provider", Code: "provider_company"},
				WithCallRetryNonIdempotent())
			require.NoError(t, err)
			assert.Equal(t, 4, resp.Attempts)
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, requests, 5, "three attempts, the login, the resend")
			for i, r := range requests {
				assert.Positive(t, r.body, "request %d (%s)", i, r.path)
				assert.Equal(t, int64(r.body), r.contentLength, "request %d (%s)", i, r.path)
				assert.False(t, r.chunked, "request %d (%s)", i, r.path)
			}
		})
	}
}

// An https base URL pointed at a plain-http port fails at once, not retried, and
// says so: an error that matches ErrConnection and ErrInvalidConfig, after one
// attempt that never reached the service.
func TestHTTPSToAPlainHTTPPortIsNotRetried(t *testing.T) {
	srv, opened := countingServer(t, func(w http.ResponseWriter, _ *http.Request) {
		t.Error("no request gets through the failed handshake")
	})
	c, err := NewClient("https://"+srv.Listener.Addr().String(), WithKey(testKey), WithRetryWait(0, 0))
	require.NoError(t, err)
	_, _, err = c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrConnection)
	require.ErrorIs(t, err, ErrInvalidConfig)
	var connErr *ConnectionError
	require.ErrorAs(t, err, &connErr)
	assert.Equal(t, 1, connErr.Attempts)
	assert.False(t, connErr.MaybeSent)
	assert.Contains(t, err.Error(), "answers plain HTTP, not HTTPS")
	assert.Equal(t, int64(1), opened.Load(), "one connection: no retry")
}

// TestHugeErrorBodyIsReadWithinBoundsMock checks on httpmock what TestBadResponses'
// "10 MiB error body" cannot from outside the package: the error does not pin the
// read buffer.
func TestHugeErrorBodyIsReadWithinBoundsMock(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithoutRetries())
	huge := strings.Repeat("x", 10<<20)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(500, huge))
	_, _, err := c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrServer)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, cap(apiErr.Body), maxKeptBodyBytes, "the error does not pin the read buffer")
	assert.Less(t, len(err.Error()), 1000, "the error text carries a snippet, not the body")
}

func TestUnreadableSuccessBodies(t *testing.T) {
	cases := map[string]string{
		"truncated":  `{"id": 1, "name": "Prov`,
		"empty":      ``,
		"html":       `<html>maintenance</html>`,
		"wrong type": `{"id": "one"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(200, body))
			p, resp, err := c.Providers.Get(context.Background(), 1)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Nil(t, p)
			assert.Equal(t, 200, resp.StatusCode)
		})
	}
}

func TestOversizedSuccessBody(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	require.EqualValues(t, maxResponseBytes, c.maxBody, "the default bound")
	c.maxBody = 1 << 10 // the code path of 32 MiB without reading 32 MiB under -race
	atLimit := `{"count": 0, "next": null, "previous": null, "results": []}` + strings.Repeat(" ", 1<<10-59)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?page=1", httpmock.NewStringResponder(200, atLimit))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?page=2", httpmock.NewStringResponder(200, atLimit+" "))
	_, _, err := c.Providers.List(context.Background(), &ProviderFilter{ListOptions: ListOptions{Page: 1}})
	require.NoError(t, err, "a body of exactly the limit is read")
	_, resp, err := c.Providers.List(context.Background(), &ProviderFilter{ListOptions: ListOptions{Page: 2}})
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.Contains(t, err.Error(), "answered more than 1024 bytes")
	assert.Equal(t, 200, resp.StatusCode)
}

// A server that answers with bytes that are not HTTP, echoing the request, gets
// the bad line quoted by net/http in the transport's error: the error holds
// neither the password nor the key it echoed, and still says what went wrong.
func TestTransportErrorsLeaveOutAnEchoedSecret(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		want         error
	}{
		{"status line", "rejected: password=" + testPassword + " key=" + testKey + "\r\n\r\n", ErrConnection},
		{"header line", "HTTP/1.1 200 OK\r\nToken " + testKey + " password " + testPassword + "\r\n\r\n", ErrConnection},
		{"trailer line", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nToken " + testKey +
			" password " + testPassword + "\r\n\r\n", ErrUnexpectedResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawListener(t, func(conn net.Conn) {
				r := bufio.NewReader(conn)
				for line, err := r.ReadString('\n'); err == nil && line != "\r\n"; line, err = r.ReadString('\n') {
				}
				io.WriteString(conn, tc.answer)
				conn.Close()
			})
			c, err := NewClient("http://"+addr, WithCredentials(testUser, testPassword), WithKey(testKey), WithoutRetries())
			require.NoError(t, err)
			_, _, err = c.Providers.Get(context.Background(), 1)
			require.ErrorIs(t, err, tc.want)
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.False(t, strings.Contains(e.Error(), testPassword), "the password is left out")
				assert.False(t, strings.Contains(e.Error(), testKey), "the key is left out")
			}
			assert.Contains(t, err.Error(), "malformed", "the cause is still told")
			assert.Contains(t, err.Error(), "[redacted]")
		})
	}
}

// encoding/json quotes a number it cannot store ("cannot unmarshal number
// 1234…"): a 2xx answer echoing a numeric password where a number does not fit
// gives an error without it.
func TestDecodeErrorLeavesOutANumericSecret(t *testing.T) {
	const password = "123456789012345678901" // over an int64
	c, mock := newMockClientWith(t, WithCredentials(testUser, password))
	mockLogin(mock, testKey)
	recordJSON(mock, http.MethodGet, testAPI+"x/", 200, `{"n": `+password+`}`)
	var out struct {
		N int `json:"n"`
	}
	_, err := c.Do(context.Background(), http.MethodGet, "api/v1/x/", nil, &out)
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.False(t, strings.Contains(err.Error(), password))
	assert.Contains(t, err.Error(), "cannot unmarshal", "the decoder's message, redacted")
}

// Through a caller's http.Client too, an https base URL pointed at a plain-http
// port fails after one attempt that never reached the service, with an error that
// says so: whether the transport is net/http's own, wraps it, or wraps its error
// out of net/http's sight (as a tracing transport may).
func TestHTTPSToAPlainHTTPPortThroughACallersClient(t *testing.T) {
	for name, hc := range map[string]*http.Client{
		"net/http's transport": {Transport: &http.Transport{}},
		"a wrapping transport": {Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return http.DefaultTransport.RoundTrip(r)
		})},
		"a transport wrapping the error": {Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			if err != nil {
				err = fmt.Errorf("tracing: %w", err)
			}
			return resp, err
		})},
	} {
		t.Run(name, func(t *testing.T) {
			srv, opened := countingServer(t, func(http.ResponseWriter, *http.Request) {
				t.Error("no request gets through the failed handshake")
			})
			c, err := NewClient("https://"+srv.Listener.Addr().String(), WithKey(testKey), WithRetryWait(0, 0), WithHTTPClient(hc))
			require.NoError(t, err)
			_, _, err = c.Providers.Get(context.Background(), 1)
			require.ErrorIs(t, err, ErrInvalidConfig)
			var connErr *ConnectionError
			require.ErrorAs(t, err, &connErr)
			assert.Equal(t, 1, connErr.Attempts)
			assert.False(t, connErr.MaybeSent, "the handshake failed: nothing was sent")
			assert.Contains(t, err.Error(), "answers plain HTTP, not HTTPS")
			assert.Equal(t, int64(1), opened.Load(), "one connection: no retry")
		})
	}
}

// rawListener hands each connection made to a loopback address, until the test
// ends, to serve, and returns the address.
func rawListener(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			serve(conn)
		}
	}()
	return ln.Addr().String()
}
