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

// WithLoginTimeout ends a login that never answers, for every call waiting on it,
// after exactly its bound (synctest's clock), with an error naming the option.
func TestWithLoginTimeoutEndsAStalledLogin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t, WithLoginTimeout(3*time.Second))
		mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done() // a login that never answers
			return nil, req.Context().Err()
		})
		start := time.Now()
		_, resp, err := c.Providers.Get(context.Background(), 1)
		assert.Nil(t, resp)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "WithLoginTimeout")
		assert.Equal(t, 3*time.Second, time.Since(start))
	})
}

// After the service refuses a key a login has just given (here: every key, as
// behind a proxy that strips Authorization), a loop of calls does not log in on
// every call: for loginCooldown each 401 comes back at once, then one call logs
// in again; Auth.Login ends the cool-down at once.
func TestRefusedFreshKeyCoolsDownLogins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, mock := newMockClient(t)
		logins := mockLogin(mock, "fresh-key")
		mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`))
		loop := func() {
			for range 100 {
				_, resp, err := c.Providers.Get(context.Background(), 1)
				require.ErrorIs(t, err, ErrUnauthorized)
				require.Equal(t, 401, resp.StatusCode)
			}
		}
		loop()
		assert.Equal(t, int64(2), logins.Load(), "the first call's login and its one re-login; none in the cool-down")

		time.Sleep(loginCooldown - time.Second)
		loop()
		assert.Equal(t, int64(2), logins.Load(), "still cooling down")

		time.Sleep(time.Second)
		loop()
		assert.Equal(t, int64(3), logins.Load(), "one re-login after the cool-down, which starts it again")

		_, err := c.Auth.Login(context.Background())
		require.NoError(t, err)
		_, _, err = c.Providers.Get(context.Background(), 1)
		require.ErrorIs(t, err, ErrUnauthorized)
		assert.Equal(t, int64(5), logins.Load(), "Auth.Login, then the call's re-login: the cool-down had ended")
	})
}
