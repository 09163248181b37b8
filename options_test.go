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
	c, mock := newMockClient(t, WithKey(testKey), WithTimeout(50*time.Millisecond), WithRetryWait(10*time.Millisecond, 20*time.Millisecond))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/", httpmock.NewStringResponder(503, ""))
	start := time.Now()
	_, resp, err := c.Providers.List(context.Background(), nil)
	elapsed := time.Since(start)
	// Retried until the next wait would outlast the 50 ms, then the last answer.
	require.ErrorIs(t, err, ErrServer)
	require.NotNil(t, resp)
	assert.Greater(t, resp.Attempts, 1)
	assert.Less(t, elapsed, time.Second)
}

// A wait the call cannot afford returns the answer instead of sleeping into the
// deadline: Retry-After or not, 429 or 5xx.
func TestBackoffLongerThanTheDeadlineReturnsTheAnswer(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		c, mock := newMockClient(t, WithKey(testKey), WithRetryWait(time.Second, 5*time.Second))
		mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(status, `{"detail":"slow"}`))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, resp, err := c.Providers.Get(ctx, 1)
		cancel()
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "status %d", status)
		assert.Equal(t, status, apiErr.StatusCode)
		require.NotNil(t, resp, "status %d", status)
		assert.Equal(t, 1, resp.Attempts, "status %d: no attempt after a wait it could not afford", status)
	}
}
