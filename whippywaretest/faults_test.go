package whippywaretest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestFaultStatusWithRetryAfter(t *testing.T) {
	c := dial(t)
	c.srv.FailNext(2, wt.Fault{Method: "GET", Path: "/api/v1/providers/", Status: 429, RetryAfter: 12 * time.Second})

	// Another method does not meet it.
	c.create("/api/v1/providers/", `{"name": "P", "code": "p"}`)
	for range 2 {
		r := c.do(http.MethodGet, "/api/v1/providers", nil) // the trailing slash does not matter
		requireJSON(t, r, http.StatusTooManyRequests, `{"detail": "Request was throttled. Expected available in 12 seconds."}`)
		assert.Equal(t, "12", r.header.Get("Retry-After"))
	}
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status, "spent after 2")
	assert.Len(t, c.srv.Providers(), 1)
}

func TestFaultBodies(t *testing.T) {
	c := dial(t)
	page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
	c.srv.FailNext(1, wt.Fault{Status: 502, Body: page})
	c.srv.FailNext(1, wt.Fault{Status: 503})
	c.srv.FailNext(1, wt.Fault{Status: 400, Body: `["Stock list code already exists."]`})

	r := c.do(http.MethodGet, "/api/v1/stocks/", nil)
	assert.Equal(t, http.StatusBadGateway, r.status)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, page, string(r.raw))
	r = c.do(http.MethodGet, "/api/v1/stocks/", nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "text/html", r.header.Get("Content-Type"), "a proxy's page")
	assert.Contains(t, string(r.raw), "<h1>503 Service Unavailable</h1>")
	requireJSON(t, c.do(http.MethodPost, "/api/v1/stock-lists/", `{}`), http.StatusBadRequest,
		`["Stock list code already exists."]`)
}

func TestFaultPathPrefix(t *testing.T) {
	c := validationStore(t)
	c.srv.FailNext(2, wt.Fault{Path: "/api/v1/stocks/*", Status: 500})
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stock-lists/", nil).status)
	assert.Equal(t, http.StatusInternalServerError, c.do(http.MethodGet, "/api/v1/stocks/1/", nil).status)
	assert.Equal(t, http.StatusInternalServerError, c.do(http.MethodPatch, "/api/v1/stocks/1/", `{"stock": 9}`).status)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
	assert.EqualValues(t, 4, c.srv.Stocks()[0].Stock, "the faulted PATCH was not applied")
}

func TestDroppedConnections(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			c := connect(t, wt.NewTestServer(t, mode.opts...))
			post := func() error {
				_, err := c.try(t.Context(), http.MethodPost, "/api/v1/providers/", `{"name": "P", "code": "p"}`, "application/json")
				return err
			}

			c.srv.FailNext(1, wt.Fault{Method: "POST", Drop: wt.DropBefore})
			err := post()
			require.Error(t, err)
			if c.srv.URL == wt.InProcessURL {
				assert.ErrorIs(t, err, io.EOF)
			}
			assert.Empty(t, c.srv.Providers(), "dropped before: nothing applied")
			last := lastRequest(t, c.srv)
			assert.True(t, last.Faulted && last.Dropped)
			assert.Equal(t, 0, last.Status)

			c.srv.FailNext(1, wt.Fault{Method: "POST", Drop: wt.DropAfter})
			require.Error(t, post())
			assert.Len(t, c.srv.Providers(), 1, "dropped after: the write was applied")
			last = lastRequest(t, c.srv)
			assert.True(t, last.Dropped)
			assert.Equal(t, http.StatusCreated, last.Status, "the answer that was lost")

			// A retry of that POST now meets the applied write.
			r := c.do(http.MethodPost, "/api/v1/providers/", `{"name": "P", "code": "p"}`)
			requireJSON(t, r, http.StatusBadRequest, `{"code": ["provider with this code already exists."]}`)
		})
	}
}

func lastRequest(t *testing.T, srv *wt.Server) wt.RequestRecord {
	t.Helper()
	log := srv.Requests()
	require.NotEmpty(t, log)
	return log[len(log)-1]
}

func TestLatency(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			c := connect(t, wt.NewTestServer(t, mode.opts...))
			c.srv.FailNext(1, wt.Fault{Latency: 50 * time.Millisecond})
			start := time.Now()
			assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status, "latency alone answers normally")
			assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

			// The wait ends with the request's context.
			c.srv.FailNext(1, wt.Fault{Latency: time.Minute})
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
			defer cancel()
			start = time.Now()
			_, err := c.try(ctx, http.MethodGet, "/api/v1/stocks/", nil, "")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 10*time.Second)
		})
	}
}

func TestCloseEndsInjectedLatency(t *testing.T) {
	srv := wt.NewServer()
	c := connect(t, srv)
	waiting := make(chan struct{})
	srv.SetFaultFunc(func(*http.Request) *wt.Fault {
		close(waiting)
		return &wt.Fault{Latency: time.Minute}
	})
	done := make(chan error, 1)
	go func() {
		_, err := c.try(context.Background(), http.MethodGet, "/api/v1/stocks/", nil, "")
		done <- err
	}()
	<-waiting
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Error(t, <-done, "the connection was closed without an answer")
}

func TestFaultFunc(t *testing.T) {
	c := dial(t)
	var n atomic.Int32
	c.srv.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if n.Add(1)%2 == 0 {
			return &wt.Fault{Status: http.StatusServiceUnavailable}
		}
		return nil
	})
	c.srv.FailNext(1, wt.Fault{Status: http.StatusTeapot})

	var got []int
	for range 5 {
		got = append(got, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
	}
	assert.Equal(t, []int{418, 200, 503, 200, 503}, got, "queued faults first, then the function")
	c.srv.SetFaultFunc(nil)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
}

func TestRequestLog(t *testing.T) {
	c := dial(t)
	c.create("/api/v1/providers/", `{"name": "P", "code": "p"}`)
	c.do(http.MethodGet, "/api/v1/providers/?code=p&limit=5", nil)
	c.do(http.MethodGet, "/api/v1/providers/1/", nil)
	c.do(http.MethodGet, "/api/v1/providers/9/", nil)

	log := c.srv.Requests()
	require.Len(t, log, 5) // with the login
	assert.Equal(t, "/api/v1/auth/login/", log[0].Path)
	assert.Equal(t, http.MethodPost, log[1].Method)
	assert.JSONEq(t, `{"name": "P", "code": "p"}`, string(log[1].Body))
	assert.Equal(t, "Token "+c.key, log[1].Header.Get("Authorization"))
	assert.Equal(t, http.StatusCreated, log[1].Status)
	assert.Equal(t, "code=p&limit=5", log[2].Query)
	assert.Equal(t, http.StatusNotFound, log[4].Status)
	assert.False(t, log[4].Faulted)

	assert.Equal(t, 3, c.srv.RequestCount("get", "/api/v1/providers/*"), "method in any case, prefix includes the collection")
	assert.Equal(t, 4, c.srv.RequestCount("", "/api/v1/providers/*"))
	assert.Equal(t, 1, c.srv.RequestCount("GET", "/api/v1/providers/"))
	assert.Equal(t, 1, c.srv.RequestCount("POST", "/api/v1/providers/"))
	assert.Equal(t, 5, c.srv.RequestCount("", ""))
}

func TestRequestLogLimitKeepsTheNewest(t *testing.T) {
	c := dial(t, wt.WithRequestLogLimit(3))
	for id := range 10 {
		c.do(http.MethodGet, fmt.Sprintf("/api/v1/providers/%d/", id+1), nil)
	}
	log := c.srv.Requests()
	require.Len(t, log, 3)
	for i, rec := range log {
		assert.Equal(t, fmt.Sprintf("/api/v1/providers/%d/", 8+i), rec.Path, "the newest three, oldest first")
	}
	assert.Equal(t, 3, c.srv.RequestCount(http.MethodGet, "/api/v1/providers/*"))
	assert.Equal(t, 0, c.srv.RequestCount(http.MethodPost, "/api/v1/auth/login/"), "the login fell out of the log")
}

func TestResetStartsOver(t *testing.T) {
	c := dial(t, wt.WithFixtures())
	fixtures := c.srv.Stocks()
	c.create("/api/v1/stocks/", `{"sku": "X", "provider": "shop_provider", "location": "110", "stock": 1}`)
	c.srv.FailNext(1, wt.Fault{Status: 500})
	c.srv.SetFaultFunc(func(*http.Request) *wt.Fault { return &wt.Fault{Status: 502} })

	c.srv.Reset()
	assert.Equal(t, fixtures, c.srv.Stocks(), "fixtures seeded again")
	assert.Empty(t, c.srv.Requests())
	requireJSON(t, c.do(http.MethodGet, "/api/v1/stocks/", nil), http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	c.key = c.login(wt.DefaultUsername, wt.DefaultPassword) // no fault left: this answers 200
	created := c.create("/api/v1/stocks/", `{"sku": "X", "provider": "shop_provider", "location": "110", "stock": 1}`)
	assert.EqualValues(t, 3, created["id"], "ids start over")

	plain := wt.NewTestServer(t, wt.WithoutListener())
	plain.AddProvider(wt.Provider{Name: "P", Code: "p"})
	plain.Reset()
	assert.Empty(t, plain.Providers())
}

func TestTransports(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv := wt.NewTestServer(t, mode.opts...)
			if srv.URL == wt.InProcessURL {
				// Nothing listens there: a client that is not the server's own cannot reach it.
				_, err := http.Get(srv.URL + "/api/v1/providers/")
				assert.Error(t, err)
			} else {
				assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, srv.URL)
			}
			c := connect(t, srv)
			req, err := http.NewRequest(http.MethodHead, srv.URL+"/api/v1/providers/", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Token "+c.key)
			res, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Empty(t, body, "HEAD answers no body")
			require.NotNil(t, res.Request)
			assert.Equal(t, req.URL.String(), res.Request.URL.String())
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"))

			srv.Close()
			_, err = c.try(t.Context(), http.MethodGet, "/api/v1/providers/", nil, "")
			assert.Error(t, err, "closed")
		})
	}
}

// The in-process transport answers as net/http does over a socket: a HEAD carries
// the GET's length in its header and in ContentLength, and a 204 or 304 has no
// body and no header describing one.
func TestTransportsAgreeOnBodylessAnswers(t *testing.T) {
	type seen struct {
		status        int
		lengthHeader  string
		contentLength int64
		contentType   string
		body          string
	}
	results := map[string][]seen{}
	for _, mode := range modes {
		srv := wt.NewTestServer(t, mode.opts...)
		seedProvider(srv, "p", "L")
		c := connect(t, srv)
		do := func(method, path string) seen {
			req, err := http.NewRequest(method, srv.URL+path, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Token "+c.key)
			res, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			res.Body.Close()
			return seen{res.StatusCode, res.Header.Get("Content-Length"), res.ContentLength, res.Header.Get("Content-Type"), string(body)}
		}
		get := do(http.MethodGet, "/api/v1/providers/")
		head := do(http.MethodHead, "/api/v1/providers/")
		assert.Equal(t, strconv.Itoa(len(get.body)), head.lengthHeader, mode.name)
		assert.Equal(t, int64(len(get.body)), head.contentLength, mode.name)
		assert.Empty(t, head.body, mode.name)
		var answers []seen
		for _, status := range []int{http.StatusNoContent, http.StatusNotModified} {
			srv.FailNext(1, wt.Fault{Status: status})
			got := do(http.MethodGet, "/api/v1/providers/")
			assert.Equal(t, status, got.status, mode.name)
			assert.Empty(t, got.body, "%s %d", mode.name, status)
			assert.Empty(t, got.lengthHeader, "%s %d", mode.name, status)
			answers = append(answers, got)
		}
		results[mode.name] = append([]seen{head}, answers...)
	}
	var first []seen
	for _, r := range results {
		if first == nil {
			first = r
			continue
		}
		assert.Equal(t, first, r, "the two transports answer alike")
	}
}

// PendingFaults lists what FailNext queued and is not spent, ClearFaults drops it all.
func TestPendingAndClearedFaults(t *testing.T) {
	c := dial(t)
	c.srv.FailNext(2, wt.Fault{Path: "/api/v1/stocks/", Status: 503})
	c.srv.FailNext(1, wt.Fault{Method: "POST", Drop: wt.DropAfter})
	assert.Equal(t, http.StatusServiceUnavailable, c.do(http.MethodGet, "/api/v1/stocks/", nil).status)
	assert.Equal(t, []wt.PendingFault{{Fault: wt.Fault{Path: "/api/v1/stocks/", Status: 503}, Left: 1},
		{Fault: wt.Fault{Method: "POST", Drop: wt.DropAfter}, Left: 1}}, c.srv.PendingFaults())
	c.srv.SetFaultFunc(func(*http.Request) *wt.Fault { return &wt.Fault{Status: 500} })
	c.srv.ClearFaults()
	assert.Empty(t, c.srv.PendingFaults())
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/stocks/", nil).status, "the fault function went too")
}
