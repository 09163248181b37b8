package whippyware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// tokenStore owns the key. Reads are lock-free; mu guards the login in flight, the
// remembered refusal and every change of the key. One login runs at a time, in a
// goroutine of its own, and every call that needs a key meanwhile waits for it.
type tokenStore struct {
	username, password string
	userAgent          []string // the User-Agent value of the header maps each key gets
	loginTimeout       time.Duration
	held               atomic.Pointer[heldKey]
	events             *keyEvents // WithKeyHook's; nil when none

	mu      sync.Mutex
	flight  *loginFlight // the login in flight, nil when none
	refused *loginFlight // the last login, when the service refused it; until Auth.Login
}

// heldKey is a key and its generation, which counts the changes of the key. A call
// that got a 401 asks for a key newer than the generation it sent: any later login
// serves it, even one that returned the same key, as Django REST framework's
// authtoken does until the key is deleted.
type heldKey struct {
	key string
	gen uint64
	// headers are the header maps every request with this key starts from, built
	// once per key (see requestHeader); nil for a heldKey not made by newHeldKey.
	headers *headerMaps
}

// newHeldKey returns key as generation gen, with the header maps of its requests,
// which carry userAgent and "Token <key>" (built once per key, not once per call).
func newHeldKey(key string, gen uint64, userAgent []string) heldKey {
	var authorization []string
	if key != "" {
		authorization = headerValue("Token " + key)
	}
	return heldKey{key: key, gen: gen, headers: newHeaderMaps(userAgent, authorization)}
}

// loginFlight is one login and, once done is closed, its outcome.
type loginFlight struct {
	done chan struct{}
	held heldKey
	resp *Response
	err  error
}

func newTokenStore(username, password, key string, userAgent []string, loginTimeout time.Duration, hook func(KeyEvent)) *tokenStore {
	t := &tokenStore{username: username, password: password, userAgent: userAgent, loginTimeout: loginTimeout}
	if hook != nil {
		t.events = &keyEvents{hook: hook}
	}
	h := newHeldKey(key, 0, userAgent)
	t.held.Store(&h)
	return t
}

func (t *tokenStore) get() heldKey { return *t.held.Load() }

func (t *tokenStore) canLogin() bool { return t.username != "" }

// store replaces the key with a new generation and tells the key hook why: a key
// obtained, or the old one forgotten (kind). The caller holds mu, so that the hook
// hears of the changes in their order.
func (t *tokenStore) store(key string, kind KeyEventKind) heldKey {
	old := t.get()
	h := newHeldKey(key, old.gen+1, t.userAgent)
	t.held.Store(&h)
	switch {
	case key != "":
		t.events.post(KeyEvent{Kind: kind, Key: key})
	case old.key != "":
		t.events.post(KeyEvent{Kind: kind, Key: old.key})
	}
	return h
}

// current returns the key, logging in first if there is none yet; the *Response is
// the login's, when one was made.
func (t *tokenStore) current(ctx context.Context, c *Client) (heldKey, *Response, error) {
	h := t.get()
	if h.key != "" {
		return h, nil, nil
	}
	return t.refresh(ctx, c, h.gen)
}

// refresh returns a key newer than generation stale: one another login got
// meanwhile, or the outcome of the login in flight or of a new one. A refusal the
// client remembers is returned at once, sending nothing: a wrong password tried by
// every call could lock the account.
func (t *tokenStore) refresh(ctx context.Context, c *Client, stale uint64) (heldKey, *Response, error) {
	if !t.canLogin() {
		return heldKey{}, nil, ErrNoCredentials
	}
	if err := ctx.Err(); err != nil {
		return heldKey{}, nil, err // a caller that has already gone starts no login
	}
	t.mu.Lock()
	if h := t.get(); h.key != "" && h.gen != stale {
		t.mu.Unlock()
		return h, nil, nil
	}
	f := t.refused
	if f == nil {
		f = t.joinLogin(ctx, c)
	}
	t.mu.Unlock()
	h, resp, err := f.wait(ctx)
	if errors.Is(err, ErrValidation) {
		// Credentials refused after the key was: the client holds no key that works,
		// so the next calls fail here at once instead of sending the dead key.
		t.mu.Lock()
		if t.get().gen == stale {
			t.store("", KeyDropped)
		}
		t.mu.Unlock()
	}
	return h, resp, err
}

// joinLogin returns the login in flight, starting one if there is none; the caller
// holds mu. The login runs on a context of its own, bounded by loginTimeout and
// keeping ctx's values but not its end: a caller with a short deadline must not
// cancel the login every other caller waits for.
func (t *tokenStore) joinLogin(ctx context.Context, c *Client) *loginFlight {
	if t.flight != nil {
		return t.flight
	}
	f := &loginFlight{done: make(chan struct{})}
	t.flight = f
	loginCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.loginTimeout)
	go func() {
		defer cancel()
		key, resp, err := t.login(loginCtx, c)
		if err != nil && loginCtx.Err() != nil {
			err = fmt.Errorf("whippyware: login did not finish within %s (WithLoginTimeout): %w", t.loginTimeout, err)
		}
		t.mu.Lock()
		switch {
		case err == nil:
			f.held = t.store(key, KeyObtained)
		case errors.Is(err, ErrValidation):
			t.refused = f // the same credentials would be refused again
		}
		f.resp, f.err = resp, err
		t.flight = nil
		t.mu.Unlock()
		close(f.done)
	}()
	return f
}

// wait returns the login's outcome, or ctx's error if ctx ends first; the login
// goes on either way.
func (f *loginFlight) wait(ctx context.Context) (heldKey, *Response, error) {
	select {
	case <-f.done: // an outcome there is wins over a context that ended too
		return f.held, f.resp, f.err
	default:
	}
	select {
	case <-f.done:
		return f.held, f.resp, f.err
	case <-ctx.Done():
		return heldKey{}, nil, fmt.Errorf("whippyware: waiting for the login: %w", ctx.Err())
	}
}

// login posts the credentials and returns the key the service answered.
func (t *tokenStore) login(ctx context.Context, c *Client) (string, *Response, error) {
	var out loginResponse
	resp, err := c.do(ctx, call{
		method:     http.MethodPost,
		path:       apiPrefix + "auth/login/",
		body:       loginRequest{Username: t.username, Password: t.password},
		out:        &out,
		anon:       true,
		secret:     t.password,
		repeatable: true, // a login changes nothing on the service but the key's existence
	})
	var vErr *ValidationError
	if errors.As(err, &vErr) {
		// Any 400 at login refuses these credentials: a wrong user name or password
		// (non-field errors), a blank one (field errors), or a proxy's page.
		vErr.invalidCredentials = true
	}
	return out.key(), resp, err
}

// String names the kind of authentication, never the password or key.
func (t *tokenStore) String() string {
	switch {
	case t.canLogin():
		return fmt.Sprintf("credentials(user %q)", t.username)
	case t.get().key != "":
		return "key"
	}
	return "none"
}

// Format makes every fmt verb print String.
func (t *tokenStore) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }
