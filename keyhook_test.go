package whippyware

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyService answers providers/1/ for the key in valid only, and logins with
// key-1, key-2, ... once released (nil release: at once).
type keyService struct {
	valid   atomic.Pointer[string]
	logins  atomic.Int64
	refused atomic.Int64
	release atomic.Pointer[chan struct{}]
	// allRefused, when set, is closed at the burst-th refusal.
	allRefused atomic.Pointer[chan struct{}]
	burst      int64
}

func newKeyService(mock *httpmock.MockTransport) *keyService {
	s := &keyService{}
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", func(*http.Request) (*http.Response, error) {
		if ch := s.release.Load(); ch != nil {
			waitAtMost(*ch)
		}
		key := "key-" + strconv.FormatInt(s.logins.Add(1), 10)
		s.valid.Store(&key)
		return httpmock.NewJsonResponse(http.StatusOK, map[string]string{"key": key})
	})
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		if v := s.valid.Load(); v == nil || req.Header.Get("Authorization") != "Token "+*v {
			if n := s.refused.Add(1); n == s.burst {
				if ch := s.allRefused.Load(); ch != nil {
					close(*ch)
				}
			}
			return httpmock.NewStringResponse(http.StatusUnauthorized, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(http.StatusOK, providerJSON), nil
	})
	recordJSON(mock, http.MethodPost, testAPI+"expire-token/", http.StatusNoContent, "")
	return s
}

// waitAtMost waits for ch, or gives up after a bound only a broken test reaches
// (its counts or events then fail).
func waitAtMost(ch <-chan struct{}) {
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
	}
}

// receiveUntil collects events until one of kind last arrives: the events are
// delivered in order, so none of the ones before it can still be on its way.
func receiveUntil(t *testing.T, events <-chan KeyEvent, last KeyEventKind) []string {
	t.Helper()
	var got []string
	for {
		select {
		case e := <-events:
			got = append(got, e.Kind.String()+" "+e.Key)
			if e.Kind == last {
				return got
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s event; got %v", last, got)
		}
	}
}

func getFromAll(c *Client, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Providers.Get(context.Background(), 1) // the test counts requests and events
		}()
	}
	wg.Wait()
}

// A burst of callers with no key, then a burst of 401s held until every caller
// was refused: two logins, and the hook hears of each once, in order, then of
// the Logout.
func TestKeyHookRunsOncePerLoginUnderA401Burst(t *testing.T) {
	const callers = 50
	events := make(chan KeyEvent, 4*callers)
	c, mock := newMockClient(t, WithKeyHook(func(e KeyEvent) { events <- e }))
	s := newKeyService(mock)
	s.burst = callers

	getFromAll(c, callers)
	assert.Equal(t, int64(1), s.logins.Load())

	// The service withdraws key-1; the next login is held until every caller got a 401.
	none := ""
	s.valid.Store(&none)
	allRefused := make(chan struct{})
	s.refused.Store(0)
	s.allRefused.Store(&allRefused)
	s.release.Store(&allRefused)
	getFromAll(c, callers)
	assert.Equal(t, int64(2), s.logins.Load())
	assert.Equal(t, int64(callers), s.refused.Load())

	_, err := c.Auth.Logout(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"obtained key-1", "obtained key-2", "expired key-2"}, receiveUntil(t, events, KeyExpired))
}

// A hook that blocks does not hold up a call, a re-login or a Logout, runs with no
// lock of the client held (it takes the token store's lock itself) and hears of
// every change in order once it goes on.
func TestSlowKeyHookStallsNoCall(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	events := make(chan KeyEvent, 8)
	var running, overlapped atomic.Int32
	var c *Client
	hook := func(e KeyEvent) {
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		defer running.Add(-1)
		c.tokens.mu.Lock() // deadlocks if the hook runs under the store's lock
		//lint:ignore SA2001 the lock is taken only to prove it is free
		c.tokens.mu.Unlock()
		if e.Key == "key-1" {
			close(entered)
			<-release
		}
		events <- e
	}
	c, mock := newMockClient(t, WithKeyHook(hook))
	s := newKeyService(mock)

	_, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	waitAtMost(entered) // the hook is now stuck on key-1's event

	none := ""
	s.valid.Store(&none) // a 401, a second login and a resend while the hook is stuck
	_, resp, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	_, err = c.Auth.Logout(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "", c.Auth.Key())

	close(release)
	assert.Equal(t, []string{"obtained key-1", "obtained key-2", "expired key-2"}, receiveUntil(t, events, KeyExpired))
	assert.Zero(t, overlapped.Load(), "the hook ran twice at once")
}

// Refused credentials after the key stopped working drop the dead key: the hook
// hears of it, and the key of WithKey counts as the one forgotten.
func TestKeyHookHearsOfADroppedKey(t *testing.T) {
	events := make(chan KeyEvent, 4)
	c, mock := newMockClient(t, WithKey("dead-key"), WithKeyHook(func(e KeyEvent) { events <- e }))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(http.StatusUnauthorized, `{"detail": "Invalid token."}`))
	mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(http.StatusBadRequest,
		`{"non_field_errors": ["Unable to log in with provided credentials."]}`))

	_, _, err := c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrInvalidCredentials)
	assert.Equal(t, []string{"dropped dead-key"}, receiveUntil(t, events, KeyDropped))
}

func TestKeyEventNeverPrintsItsKey(t *testing.T) {
	e := KeyEvent{Kind: KeyObtained, Key: testKey}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assert.NotContains(t, fmt.Sprintf(verb, e), testKey, verb)
	}
	assert.Equal(t, "whippyware.KeyEvent{obtained}", e.String())
	_, err := NewClient(testBase, WithKeyHook(nil))
	assert.ErrorIs(t, err, ErrInvalidConfig)
}

// A KeyEvent logged through slog's JSON handler would marshal its Key.
func TestKeyEventLogsWithoutItsKey(t *testing.T) {
	e := KeyEvent{Kind: KeyObtained, Key: testKey}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("key changed", "event", e)
		assert.NotContains(t, buf.String(), testKey, "%s handler: the log line holds the key", name)
		assert.Contains(t, buf.String(), "obtained", name)
	}
}

// A key hook that panics does not take the program down: the panic is logged,
// without the key, through the client's logger, and the next event still
// reaches the hook.
func TestPanickingKeyHookIsRecoveredAndLogged(t *testing.T) {
	var logs syncBuffer
	events := make(chan KeyEvent, 4)
	hook := func(e KeyEvent) {
		events <- e
		if e.Kind == KeyObtained {
			panic("hook failed with " + e.Key)
		}
	}
	c, mock := newMockClient(t, WithKeyHook(hook), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	mockLogin(mock, testKey)
	mock.RegisterResponder(http.MethodPost, testAPI+"expire-token/", httpmock.NewStringResponder(200, `{}`))
	_, err := c.Auth.Login(context.Background())
	require.NoError(t, err)
	_, err = c.Auth.Logout(context.Background())
	require.NoError(t, err)
	// The expired event is handed over after the panic was logged.
	assert.Equal(t, []string{"obtained " + testKey, "expired " + testKey}, receiveUntil(t, events, KeyExpired))
	assert.Contains(t, logs.String(), "key hook panicked")
	assert.Contains(t, logs.String(), "hook failed with [redacted]")
	assert.NotContains(t, logs.String(), testKey)
}

// syncBuffer is a bytes.Buffer that a logger on another goroutine may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Without WithLogger, a panicking key hook is logged through slog's default
// logger, as WithKeyHook's doc says, and the program goes on.
func TestPanickingKeyHookWithoutALoggerUsesSlogsDefault(t *testing.T) {
	var logs syncBuffer
	// SetDefault also redirects the log package, which restoring slog's default
	// does not undo.
	defer func(l *slog.Logger, w io.Writer, flags int) {
		slog.SetDefault(l)
		log.SetOutput(w)
		log.SetFlags(flags)
	}(slog.Default(), log.Writer(), log.Flags())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	synctest.Test(t, func(t *testing.T) {
		events := make(chan KeyEvent, 4)
		c, mock := newMockClient(t, WithKeyHook(func(e KeyEvent) {
			events <- e
			panic(fmt.Errorf("hook failed on %s", e.Kind))
		}))
		mockLogin(mock, testKey)
		mock.RegisterResponder(http.MethodPost, testAPI+"expire-token/", httpmock.NewStringResponder(200, `{}`))
		_, err := c.Auth.Login(context.Background())
		require.NoError(t, err)
		_, err = c.Auth.Logout(context.Background())
		require.NoError(t, err)
		synctest.Wait() // every event handed over
		assert.Equal(t, []string{"obtained " + testKey, "expired " + testKey}, receiveUntil(t, events, KeyExpired))
	})
	assert.Equal(t, 2, strings.Count(logs.String(), "key hook panicked"), "both panics logged")
	assert.Contains(t, logs.String(), "hook failed on obtained")
	assert.NotContains(t, logs.String(), testKey)
}
