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
	"testing/iotest"
	"unsafe"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of what send does to spend less: the pooled body buffer, the shared header
// values, the request built without go-retryablehttp's body wrapper.

func TestReadBody(t *testing.T) {
	body := strings.Repeat("0123456789", 100) // 1,000 bytes
	for _, tc := range []struct {
		name          string
		r             io.Reader
		contentLength int64
		limit         int64
		want          string
		wantErr       error
	}{
		{"length known", strings.NewReader(body), 1000, 4096, body, nil},
		{"length unknown", strings.NewReader(body), -1, 4096, body, nil},
		{"one byte a read", iotest.OneByteReader(strings.NewReader(body)), -1, 4096, body, nil},
		{"length announced short", strings.NewReader(body), 10, 4096, body, nil},
		{"length announced long", strings.NewReader(body), 3000, 4096, body, nil},
		{"exactly the limit", strings.NewReader(body), -1, 1000, body, nil},
		{"one byte over the limit", strings.NewReader(body), -1, 999, body[:999], errBodyTooLarge},
		{"far over, length known", strings.NewReader(body), 1000, 10, body[:10], errBodyTooLarge},
		{"empty", strings.NewReader(""), 0, 4096, "", nil},
		{"error with the last bytes", iotest.DataErrReader(strings.NewReader(body)), -1, 4096, body, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf, err := readBody(tc.r, tc.contentLength, tc.limit)
			assert.ErrorIs(t, err, tc.wantErr)
			if tc.wantErr == nil {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.want, string(buf.b))
			buf.release()
		})
	}
	t.Run("read error", func(t *testing.T) {
		failing := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(io.ErrUnexpectedEOF))
		buf, err := readBody(failing, -1, 4096)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Equal(t, "abc", string(buf.b), "what was read before the error")
		buf.release()
	})
	t.Run("released buffer is reused empty", func(t *testing.T) {
		buf, err := readBody(strings.NewReader(body), -1, 4096)
		require.NoError(t, err)
		buf.release()
		again, err := readBody(strings.NewReader("xy"), -1, 4096)
		require.NoError(t, err)
		assert.Equal(t, "xy", string(again.b))
		again.release()
	})
}

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

// A login's Response keeps its exchange alive (send's one allocation), and with it
// the call's state: neither may keep the body, which holds the password.
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
	state := callStateFrom(resp.Request.Context())
	require.NotNil(t, state, "the returned request keeps the call's context")
	assert.Nil(t, state.payload)
	// The state is the exchange's first field, so its address is the exchange's.
	require.Zero(t, unsafe.Offsetof(exchange{}.state))
	ex := (*exchange)(unsafe.Pointer(state))
	require.Same(t, resp, &ex.resp)
	assert.Nil(t, ex.retry.Request, "the sent request, with its key, is still referenced")
}

// The exchange, allocated once a call, stays within the runtime's 704-byte size
// class: a field more would take it to 768 bytes a call.
func TestExchangeFitsItsSizeClass(t *testing.T) {
	// An object over 512 bytes that holds pointers carries an 8-byte malloc header
	// (Go 1.22 on): 696 bytes and the header fill the 704-byte class, 697 would take
	// the 768-byte one.
	assert.LessOrEqual(t, unsafe.Sizeof(exchange{}), uintptr(704-8))
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
			var got url.URL
			assert.Equal(t, want.String(), c.resolve(&got, apiPrefix+"providers/", id, "limit=5").String(), "%s, id %d", base, id)
		}
	}
}
