package whippyware

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const providerJSON = `{"id": 1, "name": "Provider", "code": "provider_company", "is_active": true}`

func TestNewClientRefusesBadConfiguration(t *testing.T) {
	cases := []struct {
		name string
		base string
		opts []Option
	}{
		{"empty base", "", nil},
		{"unparsable base", "https://[::1", nil},
		{"no host", "https:///api", nil},
		{"other scheme", "ftp://whippy.test/", nil},
		{"plain http to a remote host", "http://whippy.example.com/", nil},
		{"credentials in the URL", "https://u:p@whippy.test/", nil},
		{"empty user", testBase, []Option{WithCredentials("", "p")}},
		{"empty password", testBase, []Option{WithCredentials("u", "")}},
		{"empty key", testBase, []Option{WithKey(" ")}},
		{"nil http client", testBase, []Option{WithHTTPClient(nil)}},
		{"negative timeout", testBase, []Option{WithTimeout(-time.Second)}},
		{"empty user agent", testBase, []Option{WithUserAgent("")}},
		{"negative retries", testBase, []Option{WithRetryMax(-1)}},
		{"max wait below min", testBase, []Option{WithRetryWait(time.Second, time.Millisecond)}},
		{"nil logger", testBase, []Option{WithLogger(nil)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.base, tc.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestNewClientAcceptsLoopbackHTTPAndOptIn(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:8080", "http://localhost/", "http://[::1]:9000/x"} {
		c, err := NewClient(base)
		require.NoError(t, err, base)
		assert.True(t, strings.HasSuffix(c.BaseURL(), "/"), "base URL %q keeps a trailing slash", c.BaseURL())
	}
	c, err := NewClient("http://whippy.internal/stock", WithInsecureHTTP())
	require.NoError(t, err)
	assert.Equal(t, "http://whippy.internal/stock/", c.BaseURL())
	c, err = NewClient("https://whippy.test/a/../whippy/./")
	require.NoError(t, err)
	assert.Equal(t, "https://whippy.test/whippy/", c.BaseURL(), "dot segments are resolved once")
}

// TestPathPrefixWithoutSlash: a base path without its trailing slash must not lose
// its last segment when paths are resolved against it.
func TestPathPrefixWithoutSlash(t *testing.T) {
	mock := httpmock.NewMockTransport()
	rec := recordJSON(mock, http.MethodGet, "https://whippy.test/a/b/api/v1/providers/1/", 200, providerJSON)
	c, err := NewClient("https://whippy.test/a/b", WithKey(testKey), WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	p, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, "provider_company", p.Code)
	assert.NotNil(t, rec.Load())
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

func TestContextCancelledDuringBackoff(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithRetryWait(time.Hour, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/", func(*http.Request) (*http.Response, error) {
		time.AfterFunc(20*time.Millisecond, cancel)
		return httpmock.NewStringResponse(503, ""), nil
	})
	done := make(chan error, 1)
	go func() {
		_, _, err := c.Providers.List(ctx, nil)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, mock.GetTotalCallCount())
	case <-time.After(30 * time.Second):
		t.Fatal("the call kept waiting for its hour-long backoff after the context ended")
	}
}

func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithTimeout(50*time.Millisecond), WithRetryWait(time.Hour, time.Hour))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/", httpmock.NewStringResponder(503, ""))
	_, _, err := c.Providers.List(context.Background(), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestReloginOnceOn401(t *testing.T) {
	c, mock := newMockClient(t, WithKey("old-key"))
	logins := mockLogin(mock, "new-key")
	var keys []string
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		keys = append(keys, req.Header.Get("Authorization"))
		if req.Header.Get("Authorization") != "Token new-key" {
			return httpmock.NewStringResponse(401, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	p, resp, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, "Provider", p.Name)
	assert.Equal(t, int64(1), logins.Load())
	assert.Equal(t, []string{"Token old-key", "Token new-key"}, keys)
	assert.Equal(t, "new-key", c.Auth.Key())
	assert.Equal(t, 2, resp.Attempts, "the attempt answered 401 counts too")
}

func TestSecond401IsReturned(t *testing.T) {
	c, mock := newMockClient(t)
	logins := mockLogin(mock, "k")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`))
	_, resp, err := c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Equal(t, int64(2), logins.Load(), "the lazy login, then one re-login")
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+testAPI+"providers/1/"])
}

func TestFixedKey401ReturnedAsIs(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`))
	_, _, err := c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "no login without credentials")
	assert.Contains(t, err.Error(), "Invalid token.")
}

func TestNoCredentialsSendsNothing(t *testing.T) {
	mock := httpmock.NewMockTransport()
	c, err := NewClient(testBase, WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	_, _, err = c.Stocks.List(context.Background(), nil)
	require.ErrorIs(t, err, ErrNoCredentials)
	_, err = c.Auth.Login(context.Background())
	require.ErrorIs(t, err, ErrNoCredentials)
	_, err = c.Auth.Logout(context.Background())
	require.ErrorIs(t, err, ErrNoCredentials)
	assert.Equal(t, 0, mock.GetTotalCallCount())
}

func TestConcurrent401sCauseOneLogin(t *testing.T) {
	c, mock := newMockClient(t, WithKey("expired"))
	logins := mockLogin(mock, "fresh")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "Token fresh" {
			return httpmock.NewStringResponse(401, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	start := make(chan struct{})
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, err := c.Providers.Get(context.Background(), 1)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), logins.Load())
}

func TestLoginWithWrongPassword(t *testing.T) {
	c, mock := newMockClient(t)
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/",
		httpmock.NewStringResponder(400, `{"non_field_errors": ["Unable to log in with provided credentials."]}`))
	_, resp, err := c.Providers.List(context.Background(), nil)
	require.ErrorIs(t, err, ErrInvalidCredentials)
	require.ErrorIs(t, err, ErrValidation)
	require.NotNil(t, resp, "the login's answer")
	assert.Equal(t, 400, resp.StatusCode)
	var vErr *ValidationError
	require.ErrorAs(t, err, &vErr)
	assert.Equal(t, []string{"Unable to log in with provided credentials."}, vErr.NonField)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "the list is not sent without a key")

	// A 400 elsewhere with a non-field message is not about credentials.
	c2, mock2 := newMockClient(t, WithKey(testKey))
	mock2.RegisterResponder(http.MethodPost, testAPI+"stock-lists/", httpmock.NewStringResponder(400, `["Stock list code already exists."]`))
	_, _, err = c2.StockLists.Create(context.Background(), &StockListCreateRequest{Code: "a", Name: "A"})
	require.ErrorIs(t, err, ErrValidation)
	assert.NotErrorIs(t, err, ErrInvalidCredentials)
}

func TestLoginAnsweredWithoutKey(t *testing.T) {
	c, mock := newMockClient(t)
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(200, `{}`))
	_, err := c.Auth.Login(context.Background())
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.Equal(t, "", c.Auth.Key())
}

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		is       error
		fields   map[string][]string
		nonField []string
		detail   string
	}{
		{"missing fields", 400, `{"username": ["This field is required."], "password": ["This field is required."]}`, ErrValidation,
			map[string][]string{"username": {"This field is required."}, "password": {"This field is required."}}, nil, ""},
		{"non field", 400, `{"non_field_errors": ["Unable to log in with provided credentials."]}`, ErrValidation,
			map[string][]string{}, []string{"Unable to log in with provided credentials."}, ""},
		{"nested", 400, `{"rule": {"providers": ["This field is required."]}}`, ErrValidation,
			map[string][]string{"rule.providers": {"This field is required."}}, nil, ""},
		{"list", 400, `["Stock list code already exists."]`, ErrValidation,
			map[string][]string{}, []string{"Stock list code already exists."}, ""},
		{"plain string", 400, `{"code": "Invalid value."}`, ErrValidation,
			map[string][]string{"code": {"Invalid value."}}, nil, ""},
		{"detail 400", 400, `{"detail": "JSON parse error - Expecting value"}`, ErrValidation,
			map[string][]string{}, []string{"JSON parse error - Expecting value"}, "JSON parse error - Expecting value"},
		{"no credentials", 401, `{"detail": "Authentication credentials were not provided."}`, ErrUnauthorized, nil, nil, "Authentication credentials were not provided."},
		{"not found", 404, `{"detail": "Not found."}`, ErrNotFound, nil, nil, "Not found."},
		{"invalid page", 404, `{"detail": "Invalid page."}`, ErrNotFound, nil, nil, "Invalid page."},
		{"throttled", 429, `{"detail": "Request was throttled. Expected available in 12 seconds."}`, ErrRateLimited, nil, nil, "Request was throttled. Expected available in 12 seconds."},
		{"proxy html", 502, "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>", ErrServer, nil, nil, "<html> <head><title>502 Bad Gateway</title></head> </html>"},
		{"empty 503", 503, "", ErrServer, nil, nil, ""},
		{"method not allowed", 405, `{"detail": "Method \"PUT\" not allowed."}`, nil, nil, nil, `Method "PUT" not allowed.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newKeyClient(t, WithoutRetries())
			mock.RegisterResponder(http.MethodGet, testAPI+"stock-lists/1/", httpmock.NewStringResponder(tc.status, tc.body))
			_, resp, err := c.StockLists.Get(context.Background(), 1)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			for _, other := range []error{ErrValidation, ErrUnauthorized, ErrNotFound, ErrRateLimited, ErrServer} {
				if other != tc.is {
					assert.NotErrorIs(t, err, other)
				}
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, testAPI+"stock-lists/1/", apiErr.URL)
			assert.Equal(t, tc.detail, apiErr.Detail)
			assert.Equal(t, tc.body, string(apiErr.Body))
			var vErr *ValidationError
			if tc.status != 400 {
				assert.False(t, errors.As(err, &vErr))
				return
			}
			require.ErrorAs(t, err, &vErr)
			assert.Equal(t, tc.fields, vErr.Fields)
			assert.Equal(t, tc.nonField, vErr.NonField)
			for _, msgs := range tc.fields {
				assert.Contains(t, err.Error(), msgs[0])
			}
		})
	}
}

func TestHugeErrorBodyIsReadWithinBounds(t *testing.T) {
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

func TestAllFollowsNextByPageNumberOnly(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	page := func(n int, next string) string {
		return fmt.Sprintf(`{"count": 99, "next": %s, "previous": null, "results": [{"id": %d}, {"id": %d}]}`, next, 2*n-1, 2*n)
	}
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x",
		httpmock.NewStringResponder(200, page(1, `"https://{whippy_api_url}/api/v1/providers/?limit=2&page=2"`)))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x&page=2",
		httpmock.NewStringResponder(200, page(2, `"http://localhost:8000/api/v1/providers/?page=3&limit=2"`)))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x&page=3",
		httpmock.NewStringResponder(200, page(3, `null`)))
	opts := &ProviderFilter{ListOptions: ListOptions{Limit: 2}, Name: "x"}
	var ids []int64
	for p, err := range c.Providers.All(context.Background(), opts) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, ids)
	assert.Equal(t, 0, opts.Page, "the caller's options are not changed")
	assert.Equal(t, 3, mock.GetTotalCallCount())
}

func TestAllStoppedEarlyFetchesNoFurtherPage(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
		httpmock.NewStringResponder(200, `{"count": 4, "next": "https://h/api/v1/stocks/?page=2", "previous": null, "results": [{"id": 1}, {"id": 2}]}`))
	seen := 0
	for s, err := range c.Stocks.All(context.Background(), nil) {
		require.NoError(t, err)
		seen++
		if s.ID == 1 {
			break
		}
	}
	assert.Equal(t, 1, seen)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "page 2 must not be fetched")
}

func TestAllStopsOnErrorsAndBadLinks(t *testing.T) {
	cases := map[string]string{
		"link without a page number": `"https://h/api/v1/stocks/?page=abc"`,
		"link that goes back":        `"https://h/api/v1/stocks/?page=1"`,
	}
	for name, next := range cases {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
				httpmock.NewStringResponder(200, `{"count": 1, "next": `+next+`, "results": [{"id": 1}]}`))
			var errs []error
			n := 0
			for s, err := range c.Stocks.All(context.Background(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				n++
				assert.Equal(t, int64(1), s.ID)
			}
			assert.Equal(t, 1, n)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrUnexpectedResponse)
			assert.Equal(t, 1, mock.GetTotalCallCount())
		})
	}
	t.Run("error page", func(t *testing.T) {
		c, mock := newMockClient(t, WithKey(testKey))
		mock.RegisterResponder(http.MethodGet, testAPI+"stocks/?page=7", httpmock.NewStringResponder(404, `{"detail": "Invalid page."}`))
		for s, err := range c.Stocks.All(context.Background(), &StockFilter{ListOptions: ListOptions{Page: 7}}) {
			assert.Nil(t, s)
			require.ErrorIs(t, err, ErrNotFound)
		}
	})
}

// TestSecretsNeverLeak runs failing and succeeding calls at debug level and looks
// for the password and keys in every log line, error text and formatted value.
func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mock := newMockClient(t, WithKey("old-secret-key"), WithLogger(logger))
	mockLogin(mock, "new-secret-key")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") == "Token old-secret-key" {
			return httpmock.NewStringResponse(401, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/2/", httpmock.NewStringResponder(503, "down").Then(httpmock.NewStringResponder(404, `{"detail": "Not found."}`)))

	var texts []string
	_, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	_, _, err = c.Providers.Get(context.Background(), 2)
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v %s", err, err, err, err))
	texts = append(texts, fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%v %+v %#v", *c.Auth, c.Providers, c.tokens))
	texts = append(texts, logs.String())
	require.Contains(t, logs.String(), "whippyware retry", "the debug log ran")
	for _, text := range texts {
		for _, secret := range []string{testPassword, "old-secret-key", "new-secret-key"} {
			assert.NotContains(t, text, secret)
		}
	}
	assert.Contains(t, c.String(), `credentials(user "test")`)
}

func TestLogoutForgetsTheKey(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	rec := recordJSON(mock, http.MethodPost, testAPI+"expire-token/", 204, "")
	_, err := c.Auth.Logout(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "", c.Auth.Key())
	jsonEq(t, map[string]string{"username": testUser}, rec.Load().body)
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
				ctx := withCallState(context.Background(), &callState{method: method})
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
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	retry, err := retryPolicy{}.checkRetry(cancelled, &http.Response{StatusCode: 503}, nil)
	assert.False(t, retry)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestFailedLoginIsSharedByABurst: goroutines that waited for a login the service
// refused get its refusal; they do not each try the wrong password again.
func TestFailedLoginIsSharedByABurst(t *testing.T) {
	c, mock := newMockClient(t, WithKey("withdrawn"))
	const callers = 20
	var logins, rejected atomic.Int64
	allRejected := make(chan struct{})
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", func(*http.Request) (*http.Response, error) {
		// Held until every caller has its 401, so that all of them wait for this login.
		select {
		case <-allRejected:
		case <-time.After(10 * time.Second): // they did not all come: the count below fails
		}
		logins.Add(1)
		return httpmock.NewStringResponse(400, `{"non_field_errors": ["Unable to log in with provided credentials."]}`), nil
	})
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(*http.Request) (*http.Response, error) {
		if rejected.Add(1) == callers {
			close(allRejected)
		}
		return httpmock.NewStringResponse(401, `{"detail": "Invalid token."}`), nil
	})
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, _, err := c.Providers.Get(context.Background(), 1)
			errs <- err
		}()
	}
	for range callers {
		assert.ErrorIs(t, <-errs, ErrInvalidCredentials)
	}
	assert.Equal(t, int64(1), logins.Load())
	assert.Equal(t, int64(callers), rejected.Load())
}

func TestLogoutDoesNotWaitForALoginInFlight(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	recordJSON(mock, http.MethodPost, testAPI+"expire-token/", 204, "")
	loginArrived, release := make(chan struct{}), make(chan struct{})
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", func(*http.Request) (*http.Response, error) {
		close(loginArrived)
		<-release
		return httpmock.NewJsonResponse(http.StatusOK, map[string]string{"key": "after-logout"})
	})
	loggedIn := make(chan error, 1)
	go func() {
		_, err := c.Auth.Login(context.Background())
		loggedIn <- err
	}()
	<-loginArrived
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Auth.Logout(ctx)
	require.NoError(t, err, "the service withdrew the key: Logout succeeded")
	assert.Equal(t, "", c.Auth.Key())
	close(release)
	require.NoError(t, <-loggedIn)
	assert.Equal(t, "after-logout", c.Auth.Key(), "the login that ended after Logout holds the key")
}

func TestAllSkipsNullItems(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
		httpmock.NewStringResponder(200, `{"count": 2, "next": null, "results": [null, {"id": 1, "sku": "A"}]}`))
	var skus []string
	for s, err := range c.Stocks.All(context.Background(), nil) {
		require.NoError(t, err)
		skus = append(skus, s.SKU)
	}
	assert.Equal(t, []string{"A"}, skus)
}

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
