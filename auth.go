package whippyware

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"
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
func (r *loginResponse) key() string { return cmp.Or(r.Key, r.Token) }

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
// ErrInvalidCredentials. Login sends the credentials also after a refusal that the
// client remembers, and ends the cool-down after a refused fresh key (README,
// Auth): it is how a program tries them again.
//
// Like the logins the client makes by itself, it runs detached from ctx, bounded
// by WithLoginTimeout; when ctx ends first Login returns ctx's error and the login
// goes on for the calls that follow. A login already in flight is joined, not
// repeated.
func (s *AuthService) Login(ctx context.Context) (*Response, error) {
	t := s.client.tokens
	if !t.canLogin() {
		return nil, ErrNoCredentials
	}
	if err := ctx.Err(); err != nil {
		return nil, err // a caller that has already gone starts no login
	}
	t.mu.Lock()
	t.refused = nil
	t.cooldownUntil = time.Time{}
	f := t.joinLogin(ctx, s.client)
	t.mu.Unlock()
	_, resp, err := f.wait(ctx)
	return resp, err
}

// Logout calls expire-token for the configured user, which withdraws that user's
// key on the service, and forgets the key. It needs WithCredentials: the service
// asks for the user name. callOpts adjust this call alone (see CallOption).
func (s *AuthService) Logout(ctx context.Context, callOpts ...CallOption) (*Response, error) {
	t := s.client.tokens
	if t.username == "" {
		return nil, ErrNoCredentials
	}
	resp, err := s.client.do(ctx, call{
		method:     http.MethodPost,
		path:       apiPrefix + "expire-token/",
		body:       expireTokenRequest{Username: t.username},
		repeatable: true, // expiring twice withdraws the same key
		callOpts:   callOpts,
	})
	if err != nil {
		return resp, err
	}
	t.mu.Lock()
	t.store("", KeyExpired)
	t.mu.Unlock()
	return resp, nil
}

// Key returns the key the client holds now, or "" before the first login. A
// caller may persist it and pass it to WithKey later.
func (s *AuthService) Key() string { return s.client.tokens.get().key }
