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

type loginResponse struct {
	Key string `json:"key"`
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
	if err := t.lock(ctx); err != nil {
		return resp, err
	}
	t.key.Store(new(string))
	t.unlock()
	return resp, nil
}

// Token returns the key the client holds now, or "" before the first login. A
// caller may persist it and pass it to WithToken later.
func (s *AuthService) Token() string { return s.client.tokens.get() }

// tokenStore owns the key. Reads are lock-free; every change of the key happens
// while holding sem, so that a burst of 401s causes one login, not one each.
type tokenStore struct {
	username, password string
	sem                chan struct{}
	key                atomic.Pointer[string]
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

// current returns the key, logging in first if there is none yet.
func (t *tokenStore) current(ctx context.Context, c *Client) (string, error) {
	if k := t.get(); k != "" {
		return k, nil
	}
	return t.refresh(ctx, c, "")
}

// refresh returns a key other than stale: one another goroutine got meanwhile, or
// a fresh login's.
func (t *tokenStore) refresh(ctx context.Context, c *Client, stale string) (string, error) {
	if !t.canLogin() {
		return "", ErrNoCredentials
	}
	if err := t.lock(ctx); err != nil {
		return "", err
	}
	defer t.unlock()
	if k := t.get(); k != "" && k != stale {
		return k, nil
	}
	if _, err := t.login(ctx, c); err != nil {
		return "", err
	}
	return t.get(), nil
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
	})
	var vErr *ValidationError
	if errors.As(err, &vErr) && len(vErr.NonField) > 0 {
		// The service's answer to a wrong user name or password.
		vErr.invalidCredentials = true
	}
	if err != nil {
		return resp, err
	}
	if out.Key == "" {
		return resp, fmt.Errorf("%w: login answered without a key", ErrUnexpectedResponse)
	}
	t.key.Store(&out.Key)
	return resp, nil
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
