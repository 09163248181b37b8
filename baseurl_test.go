package whippyware

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewClientRefusesBaseURLsItCannotKeep: a query or fragment would be dropped
// silently, a port over 65535 cannot be dialled, and a path inside the API would
// give api/v1/stocks/api/v1/...: each is refused with ErrInvalidConfig and a message
// naming the problem.
func TestNewClientRefusesBaseURLsItCannotKeep(t *testing.T) {
	cases := []struct {
		name, base, says string
	}{
		{"query", "https://whippy.test/?tenant=a", "query"},
		{"empty query", "https://whippy.test/?", "query"},
		{"fragment", "https://whippy.test/prefix/#top", "fragment"},
		{"query on a prefix", "https://whippy.test/prefix?x=1", "query"},
		{"port 99999", "https://whippy.test:99999/", "port 99999"},
		{"port 65536", "http://127.0.0.1:65536/", "port 65536"},
		{"a collection path", "https://whippy.test/api/v1/stocks/", "inside the API"},
		{"a prefix then a collection", "https://whippy.test/p/api/v1/providers", "inside the API"},
		{"no scheme, a port", "stock.example.com:8443", "write https://stock.example.com:8443"},
		{"no scheme", "stock.example.com/whippy/", "write https://stock.example.com/whippy/"},
		{"no scheme, loopback", "127.0.0.1:8000", "write https://127.0.0.1:8000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.base, WithKey(testKey))
			assert.Nil(t, c)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
	t.Run("port 65535 is a port", func(t *testing.T) {
		_, err := NewClient("https://whippy.test:65535/")
		require.NoError(t, err)
	})
}

// TestNewClientErrorsAllMatchErrInvalidConfig: a nil option is refused like a bad
// one, and no message quotes a password given in the URL, even an unparsable one.
func TestNewClientErrorsAllMatchErrInvalidConfig(t *testing.T) {
	c, err := NewClient(testBase, WithKey(testKey), nil)
	assert.Nil(t, c)
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "option 2 is nil")

	for _, base := range []string{
		"https://user:pw-in-url-5c1e@[::1",
		"http://user:pw-in-url-5c1e@whippy.example.com/",
		"ftp://user:pw-in-url-5c1e@whippy.test/",
		"https://user:pw-in-url-5c1e@whippy.test:99999/",
		// url.Parse's error would quote the bad escape, a piece of the password.
		"https://user:pw-in-url-5c1e%zq@whippy.test/",
	} {
		c, err := NewClient(base)
		assert.Nil(t, c)
		require.ErrorIs(t, err, ErrInvalidConfig, base)
		assert.NotContains(t, err.Error(), "pw-in-url-5c1e")
		assert.NotContains(t, err.Error(), "%zq", base)
	}
}

// TestNewClientTakesOffAPIPrefix: a base URL that already ends in api/v1/ is the
// service's root plus the API prefix; calls go to api/v1/ once.
func TestNewClientTakesOffAPIPrefix(t *testing.T) {
	cases := map[string]string{
		"https://whippy.test/api/v1/":         "https://whippy.test/",
		"https://whippy.test/api/v1":          "https://whippy.test/",
		"https://whippy.test/prefix/api/v1/":  testBase,
		"https://whippy.test/prefix/./api/v1": testBase,
	}
	for base, want := range cases {
		t.Run(base, func(t *testing.T) {
			c, mock := newMockClientWith(t, WithKey(testKey))
			c2, err := NewClient(base, WithKey(testKey), WithHTTPClient(&http.Client{Transport: mock}), WithoutRetries())
			require.NoError(t, err)
			assert.Equal(t, want, c2.BaseURL())
			if want != testBase {
				return
			}
			rec := recordJSON(mock, http.MethodGet, testAPI+"providers/1/", 200, providerJSON)
			_, _, err = c2.Providers.Get(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, "/prefix/api/v1/providers/1/", rec.Load().req.URL.Path)
			assert.Equal(t, c.BaseURL(), c2.BaseURL(), "the same client as without api/v1/")
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

// A refused base URL's error leaves out its query and fragment, which may hold a
// key, whatever the reason for the refusal.
func TestNewClientErrorsLeaveOutTheQuery(t *testing.T) {
	for _, base := range []string{
		"https://whippy.test/?api_key=q-secret-1",
		"https://whippy.test/prefix#q-secret-1",
		"ftp://whippy.test/?api_key=q-secret-1",
		"http://whippy.example.com/?api_key=q-secret-1",
		"https://whippy.test/api/v1/stocks/?api_key=q-secret-1",
		"whippy.test:8443/?api_key=q-secret-1",
		// url.Parse's error would quote the bad escape, a piece of the secret.
		"https://whippy.test/#q-secret-1%zq",
		"https://whippy.test/?api_key=q-secret-1#%zq",
	} {
		_, err := NewClient(base)
		require.ErrorIs(t, err, ErrInvalidConfig, base)
		assert.NotContains(t, err.Error(), "q-secret-1", base)
		assert.NotContains(t, err.Error(), "%zq", base)
		assert.Contains(t, err.Error(), "whippy.", "the error still names the host: %s", base)
	}
}
