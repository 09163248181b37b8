package whippyware

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
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

// WithTimeout bounds the call as a whole: it is retried while the longest next
// wait fits in the 50 ms, then the last answer comes back, typed, within them
// (synctest's clock: the waits are 10 to 20 ms).
func TestTimeoutBoundsTheWholeCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t, WithKey(testKey), WithTimeout(50*time.Millisecond), WithRetryWait(10*time.Millisecond, 20*time.Millisecond))
		mock.RegisterResponder(http.MethodGet, testAPI+"providers/", httpmock.NewStringResponder(503, ""))
		start := time.Now()
		_, resp, err := c.Providers.List(context.Background(), nil)
		require.ErrorIs(t, err, ErrServer)
		require.NotNil(t, resp)
		assert.Greater(t, resp.Attempts, 1)
		assert.Less(t, time.Since(start), 50*time.Millisecond)
	})
}
