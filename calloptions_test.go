package whippyware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoCall answers a provider whose name tells what the request carried: its
// X-Call header, its User-Agent and whether its context had a deadline. httpmock
// hands the responder the client's own request, context included.
func echoCall(req *http.Request) (*http.Response, error) {
	_, bounded := req.Context().Deadline()
	name := fmt.Sprintf("%s|%s|%t", req.Header.Get("X-Call"), req.Header.Get("User-Agent"), bounded)
	return httpmock.NewJsonResponse(http.StatusOK, map[string]any{"id": 1, "name": name, "code": "c", "is_active": true})
}

// Half the goroutines call with their own header, User-Agent and timeout, half
// with none; each answer must show exactly its own call's options.
func TestCallOptionsApplyToTheirCallOnlyUnderConcurrency(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", echoCall)

	const callers = 64
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := "|" + defaultUserAgent + "|false"
			var opts []CallOption
			if i%2 == 0 {
				id := strconv.Itoa(i)
				opts = []CallOption{WithHeader("X-Call", id), WithHeader("User-Agent", "job-"+id), WithCallTimeout(time.Hour)}
				want = id + "|job-" + id + "|true"
			}
			p, _, err := c.Providers.Get(context.Background(), 1, opts...)
			if assert.NoError(t, err) {
				assert.Equal(t, want, p.Name, "caller %d", i)
			}
		}()
	}
	wg.Wait()
}

// Each call's retry bound and its permission to resend a POST are its own, while
// other calls to the same failing endpoints run at the same time.
func TestCallRetryOverridesApplyToTheirCallOnlyUnderConcurrency(t *testing.T) {
	c, mock := newKeyClient(t) // the client's own bound: 3 retries
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/2/", httpmock.NewStringResponder(503, `{"detail": "down"}`))
	mock.RegisterResponder(http.MethodPost, testAPI+"providers/", httpmock.NewStringResponder(503, `{"detail": "down"}`))

	cases := []struct {
		name     string
		method   string
		opts     []CallOption
		attempts int
	}{
		{"GET, the client's bound", http.MethodGet, nil, 4},
		{"GET without retries", http.MethodGet, []CallOption{WithoutCallRetries()}, 1},
		{"GET with a higher bound", http.MethodGet, []CallOption{WithCallRetryMax(6)}, 7},
		{"POST, not resent", http.MethodPost, nil, 1},
		{"POST the caller knows is safe", http.MethodPost, []CallOption{WithCallRetryNonIdempotent()}, 4},
		{"POST safe, one retry", http.MethodPost, []CallOption{WithCallRetryNonIdempotent(), WithCallRetryMax(1)}, 2},
	}
	const rounds = 8
	var wg sync.WaitGroup
	for range rounds {
		for _, tc := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var resp *Response
				var err error
				if tc.method == http.MethodGet {
					_, resp, err = c.Providers.Get(context.Background(), 2, tc.opts...)
				} else {
					_, resp, err = c.Providers.Create(context.Background(), &ProviderCreateRequest{Name: "n", Code: "c"}, tc.opts...)
				}
				assert.ErrorIs(t, err, ErrServer, tc.name)
				if assert.NotNil(t, resp, tc.name) {
					assert.Equal(t, tc.attempts, resp.Attempts, tc.name)
				}
			}()
		}
	}
	wg.Wait()
	var want int
	for _, tc := range cases {
		want += rounds * tc.attempts
	}
	info := mock.GetCallCountInfo()
	assert.Equal(t, want, info["GET "+testAPI+"providers/2/"]+info["POST "+testAPI+"providers/"])
}

func TestCallTimeoutEndsTheCall(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		<-req.Context().Done() // a service that never answers
		return nil, req.Context().Err()
	})
	_, resp, err := c.Providers.Get(context.Background(), 1, WithCallTimeout(10*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Nil(t, resp)
}

// Every method that sends takes the options: each request here must carry X-Call.
func TestCallOptionsReachEveryMethod(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	var mu sync.Mutex
	var missing []string
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("X-Call") != "yes" {
			mu.Lock()
			missing = append(missing, req.Method+" "+req.URL.Path)
			mu.Unlock()
		}
		switch {
		case req.Method == http.MethodDelete, req.URL.Path == "/prefix/api/v1/expire-token/":
			return httpmock.NewStringResponse(http.StatusNoContent, ""), nil
		case req.Method == http.MethodGet && req.URL.Path == "/prefix/api/v1/stocks/":
			return httpmock.NewStringResponse(http.StatusOK, `{"count": 1, "next": null, "previous": null, "results": [{"id": 1}]}`), nil
		}
		return httpmock.NewStringResponse(http.StatusOK, `{"id": 1}`), nil
	})
	ctx, opt := context.Background(), WithHeader("X-Call", "yes")
	calls := []struct {
		name string
		call func() error
	}{
		{"List", func() error { _, _, err := c.Stocks.List(ctx, nil, opt); return err }},
		{"All", func() error { return firstErr(c.Stocks.All(ctx, nil, opt)) }},
		{"Get", func() error { _, _, err := c.Providers.Get(ctx, 1, opt); return err }},
		{"Create", func() error { _, _, err := c.StockLists.Create(ctx, &StockListCreateRequest{}, opt); return err }},
		{"Update", func() error {
			_, _, err := c.StockListRules.Update(ctx, 1, &StockListRuleUpdateRequest{}, opt)
			return err
		}},
		{"Delete", func() error { _, err := c.StockLocations.Delete(ctx, 1, opt); return err }},
		{"Do", func() error { _, err := c.Do(ctx, http.MethodPut, "api/v1/x/", nil, nil, opt); return err }},
		{"Logout", func() error { _, err := c.Auth.Logout(ctx, opt); return err }}, // last: it forgets the key
	}
	for _, tc := range calls {
		assert.NoError(t, tc.call(), tc.name)
	}
	assert.Empty(t, missing)
	assert.Equal(t, len(calls), mock.GetTotalCallCount())
}

func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestBadCallOptionsSendNothing(t *testing.T) {
	c, _ := newKeyClient(t) // any request sent fails the test: no responder
	bad := map[string]CallOption{
		"nil":                nil,
		"Authorization":      WithHeader("authorization", "Token other"),
		"Content-Type":       WithHeader("Content-Type", "text/plain"),
		"Accept":             WithHeader("Accept", "text/html"),
		"Accept-Encoding":    WithHeader("Accept-Encoding", "gzip"),
		"Host":               WithHeader("Host", "evil.test"),
		"name not a token":   WithHeader("X Call", "1"),
		"line break":         WithHeader("X-Call", "1\r\nAuthorization: Token x"),
		"zero timeout":       WithCallTimeout(0),
		"negative retry max": WithCallRetryMax(-1),
	}
	for name, opt := range bad {
		_, resp, err := c.Providers.Get(context.Background(), 1, opt)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
		assert.Nil(t, resp, name)
		for _, err := range c.Stocks.All(context.Background(), nil, opt) {
			assert.ErrorIs(t, err, ErrInvalidRequest, name)
		}
		_, err = c.Do(context.Background(), http.MethodGet, "api/v1/x/", nil, nil, opt)
		assert.True(t, errors.Is(err, ErrInvalidRequest), name)
	}
}

// Accept-Encoding is refused however it is spelt and whatever it asks for: set,
// it turns off net/http's transparent decompression, and the JSON decoder would
// meet compressed bytes. Nothing is sent.
func TestAcceptEncodingRefusedInEveryCaseForm(t *testing.T) {
	c, _ := newMockClient(t, WithKey(testKey)) // any request sent fails the test: no responder
	for _, name := range []string{"Accept-Encoding", "accept-encoding", "ACCEPT-ENCODING", "aCCEPT-eNCODING", "Accept-encoding"} {
		for _, value := range []string{"gzip", "identity", "br, gzip", ""} {
			opt := WithHeader(name, value)
			_, resp, err := c.Providers.Get(context.Background(), 1, opt)
			assert.ErrorIs(t, err, ErrInvalidRequest, "%s: %s", name, value)
			assert.Nil(t, resp)
			_, err = c.Do(context.Background(), http.MethodGet, "api/v1/x/", nil, nil, opt)
			assert.ErrorIs(t, err, ErrInvalidRequest, "%s: %s", name, value)
			_, err = c.Auth.Logout(context.Background(), opt)
			assert.ErrorIs(t, err, ErrInvalidRequest, "%s: %s", name, value)
			for _, err := range c.Stocks.All(context.Background(), nil, opt) {
				assert.ErrorIs(t, err, ErrInvalidRequest, "%s: %s", name, value)
			}
		}
	}
}
