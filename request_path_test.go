package whippyware

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of what send does to spend less: the pooled body buffer, the shared header
// values, the request built without go-retryablehttp's body wrapper.

// An error keeps the body it quotes after the buffer it was read into has been
// reused by the calls that follow.
func TestErrorBodyOutlivesItsBuffer(t *testing.T) {
	c, mock := newKeyClient(t)
	first := `{"code": ["first error"]}`
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(400, first))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/2/", httpmock.NewStringResponder(400, `{"code": ["XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"]}`))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/3/", httpmock.NewStringResponder(200, providerJSON))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/4/", httpmock.NewStringResponder(200, `{"detail": "not a provider"}`))
	ctx := context.Background()
	_, _, err := c.Providers.Get(ctx, 1)
	var vErr *ValidationError
	require.ErrorAs(t, err, &vErr)
	_, _, decodeErr := c.Providers.Get(ctx, 4)
	require.ErrorIs(t, decodeErr, ErrUnexpectedResponse)
	decodeMsg := decodeErr.Error()
	for range 20 {
		_, _, err2 := c.Providers.Get(ctx, 2)
		require.Error(t, err2)
		p, _, err3 := c.Providers.Get(ctx, 3)
		require.NoError(t, err3)
		assert.Equal(t, "Provider", p.Name)
	}
	assert.Equal(t, first, string(vErr.Body))
	assert.Equal(t, []string{"first error"}, vErr.Fields["code"])
	assert.Equal(t, decodeMsg, decodeErr.Error())
	assert.Contains(t, decodeMsg, "not a provider")
}

// A transport that breaks the RoundTripper contract by adding to a request's header
// changes that request only: the values send shares between requests are never
// written into.
func TestSharedHeaderValuesStayPut(t *testing.T) {
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

// resolve builds the URL of an item in one concatenation; it is what
// ResolveReference gives for path + id + "/", whatever the id's digits.
func TestResolveItemPath(t *testing.T) {
	for _, base := range []string{"https://stock.example.com", "https://example.com/whippy/", "http://127.0.0.1:8080/a/b"} {
		c, err := NewClient(base, WithKey(testKey))
		require.NoError(t, err)
		for _, id := range []int64{0, 1, 99, 100, 123456789, math.MaxInt64} {
			rel := apiPrefix + "providers/"
			if id > 0 {
				rel += strconv.FormatInt(id, 10) + "/"
			}
			want := c.baseURL.ResolveReference(&url.URL{Path: rel, RawQuery: "limit=5"})
			got := c.resolve(apiPrefix+"providers/", id, url.Values{"limit": {"5"}})
			assert.Equal(t, want.String(), got.String(), "%s, id %d", base, id)
		}
	}
}
