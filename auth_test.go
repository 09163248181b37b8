package whippyware

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestLogoutForgetsTheKey(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	rec := recordJSON(mock, http.MethodPost, testAPI+"expire-token/", 204, "")
	_, err := c.Auth.Logout(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "", c.Auth.Key())
	jsonEq(t, map[string]string{"username": testUser}, rec.Load().body)
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

// A call whose context has already ended starts no login: it would send the
// credentials for a caller that has gone.
func TestEndedContextStartsNoLogin(t *testing.T) {
	c, mock := newMockClient(t)
	mockLogin(mock, "new-key")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := c.Providers.List(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	_, err = c.Auth.Login(ctx)
	require.ErrorIs(t, err, context.Canceled)
	c.tokens.mu.Lock()
	started := c.tokens.flight != nil
	c.tokens.mu.Unlock()
	assert.False(t, started, "a login was started")
	assert.Zero(t, mock.GetTotalCallCount())
}
