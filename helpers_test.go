package whippyware

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// testBase is under a path prefix, so that a request built with an absolute path
// would miss it and fail the test.
const (
	testBase     = "https://whippy.test/prefix/"
	testAPI      = testBase + "api/v1/"
	testUser     = "test"
	testPassword = "test_pass"
	testKey      = "f532eXXXXXXXXXXXXXXXXX201XXXXX9332d"
)

// newMockClient returns a client whose every request goes to a fresh httpmock
// transport. A request no responder matches fails the test. Zero retry waits keep
// retry tests from sleeping; the default is credentials for testUser.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	return newMockClientWith(t, append([]Option{WithCredentials(testUser, testPassword)}, opts...)...)
}

// newKeyClient is newMockClient with a fixed key and no credentials, so a 401 is
// returned as it is.
func newKeyClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	return newMockClientWith(t, append([]Option{WithKey(testKey)}, opts...)...)
}

func newMockClientWith(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request: %s %s", req.Method, req.URL)
		return nil, fmt.Errorf("no responder for %s %s", req.Method, req.URL)
	})
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mock}),
		WithRetryWait(0, 0),
	}, opts...)
	c, err := NewClient(testBase, all...)
	require.NoError(t, err)
	return c, mock
}

// mockLogin answers login with key and counts the logins.
func mockLogin(mock *httpmock.MockTransport, key string) *atomic.Int64 {
	var n atomic.Int64
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", func(req *http.Request) (*http.Response, error) {
		n.Add(1)
		return httpmock.NewJsonResponse(http.StatusOK, map[string]string{"key": key})
	})
	return &n
}

// recorded is what a responder saw of a request.
type recorded struct {
	req  *http.Request
	body []byte
}

// recordJSON answers every request to method and url with status and body, and
// keeps the last request it saw.
func recordJSON(mock *httpmock.MockTransport, method, url string, status int, body string) *atomic.Pointer[recorded] {
	var last atomic.Pointer[recorded]
	mock.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		var b []byte
		if req.Body != nil {
			b, _ = io.ReadAll(req.Body)
		}
		last.Store(&recorded{req: req, body: b})
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	return &last
}

// fixture returns a documented example body. The fake server keeps the copies that
// ship with the module.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("whippywaretest", "testdata", name))
	require.NoError(t, err)
	return string(b)
}

// jsonEq asserts that got is the JSON of want.
func jsonEq(t *testing.T, want any, got []byte) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(got))
}

const providerJSON = `{"id": 1, "name": "Provider", "code": "provider_company", "is_active": true}`

// roundTripFunc is a transport of the test's own, which calls no net/http trace hook.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
