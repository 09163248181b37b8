package whippyware_test

import (
	wt "github.com/whippyware-go/whippyware/whippywaretest"

	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware"
)

// hostGuard is a transport that records the host of every request and refuses any host
// but the configured one, so that nothing leaves loopback whatever the SDK does.
type hostGuard struct {
	next    http.RoundTripper
	allowed string

	mu   sync.Mutex
	sent []guardedRequest
}

type guardedRequest struct {
	host          string
	authorization bool
}

func (g *hostGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.sent = append(g.sent, guardedRequest{host: req.URL.Host, authorization: req.Header.Get("Authorization") != ""})
	g.mu.Unlock()
	if req.URL.Host != g.allowed {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("test transport: refusing to reach %s", req.URL.Host)
	}
	return g.next.RoundTrip(req)
}

// assertOnlyAllowedHost asserts that requests were made, and every one went to the
// configured host; it returns how many carried a key.
func (g *hostGuard) assertOnlyAllowedHost(t *testing.T) int {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	require.NotEmpty(t, g.sent)
	keyed := 0
	for _, r := range g.sent {
		assert.Equal(t, g.allowed, r.host, "a request left the configured host")
		if r.authorization {
			keyed++
		}
	}
	return keyed
}

// guardedClient returns a client of the API at base whose every request goes through a
// hostGuard over next, with no wait between retries, and then opts.
func guardedClient(t *testing.T, base string, next http.RoundTripper, opts ...whippyware.Option) (*whippyware.Client, *hostGuard) {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	guard := &hostGuard{next: next, allowed: u.Host}
	c, err := whippyware.NewClient(base, append([]whippyware.Option{
		whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword),
		whippyware.WithHTTPClient(&http.Client{Transport: guard}),
		whippyware.WithRetryWait(0, 0),
	}, opts...)...)
	require.NoError(t, err)
	return c, guard
}

func getProvider1(ctx context.Context, c *whippyware.Client) (*whippyware.Response, error) {
	_, resp, err := c.Providers.Get(ctx, 1)
	return resp, err
}

// TestBadResponses serves answers a client must not trust: each gives a typed error or
// the right result, and no request leaves the configured host.
func TestBadResponses(t *testing.T) {
	const html502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
	cases := []struct {
		name string
		// serve answers every request in place of the API; without it the fake serves,
		// meeting fault on every attempt of the call.
		serve http.HandlerFunc
		fault wt.Fault
		call  func(context.Context, *whippyware.Client) (*whippyware.Response, error)
		check func(t *testing.T, resp *whippyware.Response, err error)
	}{
		{
			name: "truncated JSON with 200",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"id": 1, "name": "Prov`)
			},
			call:  getProvider1,
			check: unexpectedAnswer(http.StatusOK),
		},
		{
			name: "body cut short of its Content-Length",
			serve: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "200")
				io.WriteString(w, `{"id": 1, "name": "Prov`)
			},
			call: getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				unexpectedAnswer(http.StatusOK)(t, resp, err)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body could not be read whole")
			},
		},
		{
			name:  "empty 200 to a read",
			serve: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) },
			call:  getProvider1,
			check: unexpectedAnswer(http.StatusOK),
		},
		{
			name:  "empty 200 to a delete, which reads nothing",
			serve: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) },
			call: func(ctx context.Context, c *whippyware.Client) (*whippyware.Response, error) {
				return c.Providers.Delete(ctx, 1)
			},
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			},
		},
		{
			name:  "HTML 502 from a proxy",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath + "1/", Status: http.StatusBadGateway, Body: html502},
			call:  getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				apiErr := serverError(t, resp, err, http.StatusBadGateway)
				assert.Contains(t, apiErr.Detail, "502 Bad Gateway", "a snippet of the page")
			},
		},
		{
			name: "10 MiB error body",
			fault: wt.Fault{Method: http.MethodGet, Path: relProvidersPath + "1/", Status: http.StatusInternalServerError,
				Body: strings.Repeat("x", 10<<20)},
			call: getProvider1,
			check: func(t *testing.T, resp *whippyware.Response, err error) {
				apiErr := serverError(t, resp, err, http.StatusInternalServerError)
				assert.LessOrEqual(t, len(apiErr.Body), 4<<10, "the error keeps the start of the body")
				assert.Less(t, len(err.Error()), 1000, "the error text carries a snippet")
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c *whippyware.Client
			var guard *hostGuard
			if tc.serve != nil {
				ts := httptest.NewServer(tc.serve)
				t.Cleanup(ts.Close)
				c, guard = guardedClient(t, ts.URL, ts.Client().Transport, whippyware.WithKey("bad-responses-key"))
			} else {
				srv := wt.NewTestServer(t)
				srv.AddProvider(wt.Provider{Name: "P", Code: "p", IsActive: true})
				srv.FailNext(4, tc.fault) // the first attempt and 3 retries
				c, guard = guardedClient(t, srv.URL, srv.HTTPClient().Transport)
			}
			resp, err := tc.call(t.Context(), c)
			if err != nil {
				t.Logf("%v", err)
			}
			tc.check(t, resp, err)
			guard.assertOnlyAllowedHost(t)
		})
	}
	t.Run("next link to another host", testNextLinkToAnotherHost)
}

// unexpectedAnswer checks a 2xx answer the client cannot read.
func unexpectedAnswer(status int) func(t *testing.T, resp *whippyware.Response, err error) {
	return func(t *testing.T, resp *whippyware.Response, err error) {
		require.ErrorIs(t, err, whippyware.ErrUnexpectedResponse)
		assert.NotErrorIs(t, err, whippyware.ErrServer)
		require.NotNil(t, resp, "the server answered")
		assert.Equal(t, status, resp.StatusCode)
	}
}

// serverError checks a 5xx retried to the end and returns its *APIError.
func serverError(t *testing.T, resp *whippyware.Response, err error, status int) *whippyware.APIError {
	t.Helper()
	require.ErrorIs(t, err, whippyware.ErrServer)
	assert.NotErrorIs(t, err, whippyware.ErrUnexpectedResponse)
	var apiErr *whippyware.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, 4, apiErr.Attempts)
	require.NotNil(t, resp)
	assert.Equal(t, status, resp.StatusCode)
	return apiErr
}

// testNextLinkToAnotherHost serves the fake behind a proxy that tells it its host is
// evil.example:8000, so that its next links point there, as a misconfigured service's
// would. The client must read only the page number and ask the configured host again.
func testNextLinkToAnotherHost(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithPageSize(2), wt.WithoutListener())
	p := srv.AddProvider(wt.Provider{Name: "P", Code: "p", IsActive: true})
	srv.AddStockLocation(wt.StockLocation{Name: "110", Code: "110", Provider: p.ID, IsActive: true})
	var ids []int64
	for i := range 5 {
		s := srv.AddStock(wt.Stock{SKU: fmt.Sprintf("SKU-%d", i), Provider: "p", Location: "110", Stock: 1, IsActive: true})
		ids = append(ids, s.ID)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Host = "evil.example:8000"
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	c, guard := guardedClient(t, proxy.URL, proxy.Client().Transport)

	page, _, err := c.Stocks.List(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, "http://evil.example:8000/api/v1/stocks/?page=2", page.Next, "the link points elsewhere")
	assert.Equal(t, 2, page.NextPage())
	var got []int64
	for s, err := range c.Stocks.All(t.Context(), nil) {
		require.NoError(t, err)
		got = append(got, s.ID)
	}
	assert.Equal(t, ids, got, "every page, in order")
	// Page 1 by List, then pages 1 to 3 by All: 4 requests carrying the key (and the
	// login, which carries none), all to the configured host.
	assert.Equal(t, 4, guard.assertOnlyAllowedHost(t), "requests carrying the key")
}
