package whippyware_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

const relProviderJSON = `{"id": 1, "name": "Provider", "code": "provider_company", "is_active": true}`

// holdUntil waits for ch, or gives up after a bound only a broken test reaches (its
// counts then fail).
func holdUntil(ch <-chan struct{}) {
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
	}
}

// withdrawnKeyStorm sets up a 401 storm on the fake: a provider named name, a
// client that logged in, and every key withdrawn. The fake holds each login until
// all callers have sent the withdrawn key (so every one of them meets a 401 before
// a fresh key exists: a real storm, every run), then answers it with atLogin's fault
// (nil: the real login).
func withdrawnKeyStorm(t *testing.T, name string, callers int32, atLogin func() *wt.Fault) (*wt.Server, *whippyware.Client, wt.Provider, string) {
	t.Helper()
	srv := wt.NewTestServer(t)
	p := srv.AddProvider(wt.Provider{Name: name, Code: strings.ToLower(name), IsActive: true})
	c := srv.Client()
	_, err := c.Auth.Login(t.Context())
	require.NoError(t, err)
	stale := c.Auth.Key()
	srv.ExpireTokens()

	allRefused := make(chan struct{})
	var withStale atomic.Int32
	srv.SetFaultFunc(func(r *http.Request) *wt.Fault {
		switch {
		case r.Header.Get("Authorization") == "Token "+stale:
			if withStale.Add(1) == callers {
				close(allRefused)
			}
		case r.URL.Path == relLoginPath:
			holdUntil(allRefused) // if they did not all send it, the counts fail
			return atLogin()
		}
		return nil
	})
	return srv, c, p, stale
}

// callAll runs call from n goroutines at once and returns their errors.
func callAll(n int, call func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = call(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// TestSameKeyReloginStormCausesOneLogin: Django REST framework's authtoken answers
// every login with the same key until it is deleted. 100 goroutines refused with
// that key (the login is held until all 100 were) make one login between them.
func TestSameKeyReloginStormCausesOneLogin(t *testing.T) {
	const callers, key = 100, "same-key-every-login"
	var accepted atomic.Bool
	var refused, logins, served atomic.Int32
	allRefused := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login/", func(w http.ResponseWriter, _ *http.Request) {
		holdUntil(allRefused)
		logins.Add(1)
		accepted.Store(true)
		json.NewEncoder(w).Encode(map[string]string{"key": key})
	})
	mux.HandleFunc("GET /api/v1/providers/1/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token "+key || !accepted.Load() {
			if refused.Add(1) == callers {
				close(allRefused)
			}
			http.Error(w, `{"detail": "Invalid token."}`, http.StatusUnauthorized)
			return
		}
		served.Add(1)
		w.Write([]byte(relProviderJSON))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := whippyware.NewClient(srv.URL, whippyware.WithKey(key),
		whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword), whippyware.WithRetryWait(0, 0))
	require.NoError(t, err)

	errs := callAll(callers, func(int) error {
		_, _, err := c.Providers.Get(t.Context(), 1)
		return err
	})
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(1), logins.Load(), "one login for the whole storm, though it returned the same key")
	assert.Equal(t, int32(callers), refused.Load())
	assert.Equal(t, int32(callers), served.Load(), "each caller resent once")
}

// TestLoginFailingUnderABurstIsRetried: a 503 and then a dropped connection at the
// login every caller of a 401 storm waits for are retried like a GET's, and every
// caller gets the retried login's key.
func TestLoginFailingUnderABurstIsRetried(t *testing.T) {
	const callers = 50
	var loginAttempts atomic.Int32
	srv, c, p, stale := withdrawnKeyStorm(t, "Burst", callers, func() *wt.Fault {
		switch loginAttempts.Add(1) {
		case 1:
			return &wt.Fault{Status: http.StatusServiceUnavailable}
		case 2:
			return &wt.Fault{Drop: wt.DropBefore}
		}
		return nil
	})
	ctx := t.Context()
	errs := callAll(callers, func(int) error {
		_, _, err := c.Providers.Get(ctx, p.ID)
		return err
	})
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(3), loginAttempts.Load(), "a 503, a dropped connection, then the login")
	assert.NotEqual(t, stale, c.Auth.Key())

	// Expire-token is as safe to repeat.
	srv.FailNext(1, wt.Fault{Path: "/api/v1/expire-token/", Status: http.StatusBadGateway})
	_, err := c.Auth.Logout(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount(http.MethodPost, "/api/v1/expire-token/"))
}

// TestShortDeadlineCallersDoNotCancelTheSharedLogin: callers whose deadlines end
// while the login is held stop waiting one by one; the login goes on, and the calls
// that come later use its key instead of logging in again.
func TestShortDeadlineCallersDoNotCancelTheSharedLogin(t *testing.T) {
	const callers = 50
	srv := wt.NewTestServer(t)
	p := srv.AddProvider(wt.Provider{Name: "Slow", Code: "slow", IsActive: true})
	c := srv.Client()
	release := make(chan struct{})
	var logins atomic.Int32
	srv.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.URL.Path == relLoginPath {
			logins.Add(1)
			holdUntil(release) // until every caller has given up
		}
		return nil
	})
	errs := callAll(callers, func(int) error {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, _, err := c.Providers.Get(ctx, p.ID)
		return err
	})
	for _, err := range errs {
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	}
	close(release)
	got, _, err := c.Providers.Get(t.Context(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, int32(1), logins.Load(), "the first login outlived its callers and served the next call")
}

// TestRefusedLoginIsNotTriedAgain: once the service refuses the credentials, calls
// fail at once with the same error and send nothing, until Auth.Login.
func TestRefusedLoginIsNotTriedAgain(t *testing.T) {
	srv := wt.NewTestServer(t)
	ctx := t.Context()
	t.Run("no key yet", func(t *testing.T) {
		srv.Reset()
		c := srv.Client(whippyware.WithCredentials(wt.DefaultUsername, "wrong"))
		var first error
		for i := range 20 {
			_, _, err := c.Providers.List(ctx, nil)
			require.ErrorIs(t, err, whippyware.ErrInvalidCredentials, "call %d", i)
			if first == nil {
				first = err
			}
			assert.Same(t, first, err, "the same refusal")
		}
		assert.Len(t, srv.Requests(), 1, "one login for 20 calls")
		_, err := c.Auth.Login(ctx)
		require.ErrorIs(t, err, whippyware.ErrInvalidCredentials)
		assert.Len(t, srv.Requests(), 2, "Auth.Login tries again")
	})
	t.Run("a key refused first", func(t *testing.T) {
		srv.Reset()
		c := srv.Client(whippyware.WithKey("withdrawn"), whippyware.WithCredentials(wt.DefaultUsername, "wrong"))
		for range 5 {
			_, _, err := c.Providers.List(ctx, nil)
			require.ErrorIs(t, err, whippyware.ErrInvalidCredentials)
		}
		assert.Len(t, srv.Requests(), 2, "the 401 and one login; the dead key is not sent again")
		assert.Equal(t, "", c.Auth.Key())
	})
}

// TestReloginStormCausesOneLogin withdraws every key, then lets 100 goroutines call at
// once. The fake holds the login until all 100 have sent the withdrawn key, so every one
// of them meets a 401 before a fresh key exists: a real storm, every run.
func TestReloginStormCausesOneLogin(t *testing.T) {
	const callers = 100
	srv, c, p, stale := withdrawnKeyStorm(t, "Storm", callers, func() *wt.Fault { return nil })
	ctx := t.Context()
	logins := srv.RequestCount(http.MethodPost, relLoginPath)

	got := make([]*whippyware.Provider, callers)
	errs := callAll(callers, func(i int) (err error) {
		got[i], _, err = c.Providers.Get(ctx, p.ID)
		return err
	})

	for i := range callers {
		if assert.NoError(t, errs[i]) {
			assert.Equal(t, p.ID, got[i].ID)
			assert.Equal(t, "Storm", got[i].Name)
		}
	}
	assert.Equal(t, 1, srv.RequestCount(http.MethodPost, relLoginPath)-logins, "one login for the whole storm")
	fresh := c.Auth.Key()
	assert.NotEqual(t, stale, fresh)
	// Each caller was refused once with the withdrawn key and resent once with the fresh one.
	var refused, resent int
	for _, r := range srv.Requests() {
		switch r.Header.Get("Authorization") {
		case "Token " + stale:
			refused++
			assert.Equal(t, http.StatusUnauthorized, r.Status)
		case "Token " + fresh:
			resent++
			assert.Equal(t, http.StatusOK, r.Status)
		}
	}
	assert.Equal(t, callers, refused, "requests refused with the withdrawn key")
	assert.Equal(t, callers, resent, "requests resent with the fresh key")
}

// Any 400 at login refuses the credentials, whatever its body: a blank password's field
// error, a proxy's HTML page, nothing at all. The refusal is remembered as for a wrong
// password.
func TestEveryLoginRefusalIsInvalidCredentials(t *testing.T) {
	for _, body := range []string{`{"password": ["This field may not be blank."]}`, `<html><body>400 Bad Request</body></html>`, ``} {
		var logins atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			logins.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, body)
		}))
		c, err := whippyware.NewClient(srv.URL, whippyware.WithCredentials("u", "p"))
		require.NoError(t, err)
		for i := range 3 {
			_, _, err := c.Providers.Get(t.Context(), 1)
			require.ErrorIs(t, err, whippyware.ErrInvalidCredentials, "body %q, call %d", body, i)
			require.ErrorIs(t, err, whippyware.ErrValidation, "body %q: still the 400 it was", body)
		}
		assert.EqualValues(t, 1, logins.Load(), "body %q: one login", body)
		srv.Close()
	}
}
