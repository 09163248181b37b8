package whippyware

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// AuthService logs in and withdraws keys. Login and expire-token are documented in
// the public reference; the client calls Login by itself when it needs a key, so
// most programs never call it.
type AuthService struct{ client *Client }

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// loginResponse is the login's answer: {"key": ...} as documented, or
// {"token": ...} as Django REST framework's own obtain_auth_token view answers.
type loginResponse struct {
	Key   string `json:"key"`
	Token string `json:"token"`
}

// key returns the key, from whichever name the service used.
func (r *loginResponse) key() string {
	if r.Key != "" {
		return r.Key
	}
	return r.Token
}

func (r *loginResponse) checkAnswer() error {
	if r.key() == "" {
		return errors.New("login answered without a key")
	}
	return nil
}

type expireTokenRequest struct {
	Username string `json:"username"`
}

// Login posts the configured credentials to auth/login/ and keeps the key it gets.
// A wrong user name or password gives a *ValidationError that matches
// ErrInvalidCredentials.
func (s *AuthService) Login(ctx context.Context) (*Response, error) {
	t := s.client.tokens
	if !t.canLogin() {
		return nil, ErrNoCredentials
	}
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.unlock()
	return t.login(ctx, s.client)
}

// Logout calls expire-token for the configured user, which withdraws that user's
// key on the service, and forgets the key. It needs WithCredentials: the service
// asks for the user name.
func (s *AuthService) Logout(ctx context.Context) (*Response, error) {
	t := s.client.tokens
	if t.username == "" {
		return nil, ErrNoCredentials
	}
	resp, err := s.client.do(ctx, call{
		method: http.MethodPost,
		path:   apiPrefix + "expire-token/",
		body:   expireTokenRequest{Username: t.username},
	})
	if err != nil {
		return resp, err
	}
	// Not under sem: the service has withdrawn the key already, and waiting for a
	// login in flight could only fail a Logout that succeeded.
	t.key.Store(new(string))
	return resp, nil
}

// Key returns the key the client holds now, or "" before the first login. A
// caller may persist it and pass it to WithKey later.
func (s *AuthService) Key() string { return s.client.tokens.get() }

// tokenStore owns the key. Reads are lock-free; logins happen one at a time while
// holding sem, so that a burst of 401s causes one login, not one each, and the
// goroutines that waited share its outcome. Logout clears the key without sem.
type tokenStore struct {
	username, password string
	sem                chan struct{}
	key                atomic.Pointer[string]
	logins             atomic.Uint64 // logins tried; written holding sem
	lastLogin          loginOutcome  // the latest login's; guarded by sem
}

// loginOutcome is what a login ended with, kept for the goroutines that waited
// for it.
type loginOutcome struct {
	resp *Response
	err  error
}

func newTokenStore(username, password, key string) *tokenStore {
	t := &tokenStore{username: username, password: password, sem: make(chan struct{}, 1)}
	t.key.Store(&key)
	return t
}

func (t *tokenStore) get() string { return *t.key.Load() }

func (t *tokenStore) canLogin() bool { return t.username != "" }

// lock takes sem, giving up when ctx ends: a login can take a while.
func (t *tokenStore) lock(ctx context.Context) error {
	select {
	case t.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *tokenStore) unlock() { <-t.sem }

// current returns the key, logging in first if there is none yet; the *Response is
// the login's, when one was made.
func (t *tokenStore) current(ctx context.Context, c *Client) (string, *Response, error) {
	if k := t.get(); k != "" {
		return k, nil, nil
	}
	return t.refresh(ctx, c, "")
}

// refresh returns a key other than stale: one another goroutine got meanwhile, or
// a fresh login's. When a login the caller waited for was refused by the service,
// it returns that refusal rather than trying again at once: a burst of calls with a
// wrong password makes one login, not one each (which could lock the account).
func (t *tokenStore) refresh(ctx context.Context, c *Client, stale string) (string, *Response, error) {
	if !t.canLogin() {
		return "", nil, ErrNoCredentials
	}
	seen := t.logins.Load()
	if err := t.lock(ctx); err != nil {
		return "", nil, err
	}
	defer t.unlock()
	if k := t.get(); k != "" && k != stale {
		return k, nil, nil
	}
	var apiErr *APIError
	if last := t.lastLogin; t.logins.Load() != seen && errors.As(last.err, &apiErr) {
		return "", last.resp, last.err
	}
	resp, err := t.login(ctx, c)
	return t.get(), resp, err
}

// login posts the credentials and stores the key; the caller holds sem.
func (t *tokenStore) login(ctx context.Context, c *Client) (*Response, error) {
	var out loginResponse
	resp, err := c.do(ctx, call{
		method: http.MethodPost,
		path:   apiPrefix + "auth/login/",
		body:   loginRequest{Username: t.username, Password: t.password},
		out:    &out,
		anon:   true,
		secret: t.password,
	})
	var vErr *ValidationError
	if errors.As(err, &vErr) && len(vErr.NonField) > 0 {
		// The service's answer to a wrong user name or password.
		vErr.invalidCredentials = true
	}
	if err == nil {
		key := out.key()
		t.key.Store(&key)
	}
	t.logins.Add(1)
	t.lastLogin = loginOutcome{resp: resp, err: err}
	return resp, err
}

// String names the kind of authentication, never the password or key.
func (t *tokenStore) String() string {
	switch {
	case t.canLogin():
		return fmt.Sprintf("credentials(user %q)", t.username)
	case t.get() != "":
		return "key"
	}
	return "none"
}

// Format makes every fmt verb print String.
func (t *tokenStore) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }
