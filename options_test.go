package whippyware

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithTimeout(50*time.Millisecond), WithRetryWait(time.Hour, time.Hour))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/", httpmock.NewStringResponder(503, ""))
	_, _, err := c.Providers.List(context.Background(), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
