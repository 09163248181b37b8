package whippyware

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// loginCooldown is how long the client stops logging in again on a 401 after the
// service refused a key a login had just given (a proxy that strips
// Authorization, a service that rejects its own keys): meanwhile a 401 comes back
// at once, where every call would otherwise log in again and be refused again.
// Auth.Login ends it.
const loginCooldown = 10 * time.Second

// tokenStore owns the key. Reads are lock-free; mu guards the login in flight, the
// remembered refusal and every change of the key. One login runs at a time, in a
// goroutine of its own, and every call that needs a key meanwhile waits for it.
type tokenStore struct {
	username, password string
	passwordForms      *secretForms // for redact; nil without a password
	loginTimeout       time.Duration
	held               atomic.Pointer[heldKey]
	events             *keyEvents // WithKeyHook's; nil when none
	mu                 sync.Mutex
	flight             *loginFlight // the login in flight, nil when none
	refused            *loginFlight // the last login, when the service refused it; until Auth.Login
	// cooldownUntil is when the cool-down after a refused fresh key ends.
	cooldownUntil time.Time
}

// heldKey is a key and its generation, which counts the changes of the key. A call
// that got a 401 asks for a key newer than the generation it sent: any later login
// serves it, even one that returned the same key, as Django REST framework's
// authtoken does until the key is deleted.
type heldKey struct {
	key string
	gen uint64
	// forms match the key for redact. They are compiled once per key: compiling
	// takes about 0.6 ms, which every error answer paid twice when redact did it.
	forms *secretForms
}

// loginFlight is one login and, once done is closed, its outcome.
type loginFlight struct {
	done chan struct{}
	held heldKey
	resp *Response
	err  error
}

func newTokenStore(cfg config) *tokenStore {
	t := &tokenStore{
		username: cfg.username, password: cfg.password, loginTimeout: cfg.loginTimeout,
		passwordForms: newSecretForms(cfg.password),
	}
	if cfg.keyHook != nil {
		t.events = &keyEvents{hook: cfg.keyHook, logger: cfg.logger}
	}
	t.held.Store(&heldKey{key: cfg.key, forms: newSecretForms(cfg.key)})
	return t
}

func (t *tokenStore) get() heldKey { return *t.held.Load() }

func (t *tokenStore) canLogin() bool { return t.username != "" }

// redact returns body without the password, held's key or the key held now, in
// any form (see redact): a login's answer may echo the key it is to replace.
func (t *tokenStore) redact(body []byte, held heldKey) []byte {
	return redact(body, t.passwordForms, held.forms, t.get().forms)
}

// redactError returns err, or an error of its text redacted when that holds a
// secret: net/http and encoding/json quote what the service sent.
func (t *tokenStore) redactError(err error, held heldKey) error {
	if text := t.redact([]byte(err.Error()), held); string(text) != err.Error() {
		return errors.New(string(text))
	}
	return err
}

// startCooldown begins the cool-down after the service refused a fresh key.
func (t *tokenStore) startCooldown() {
	t.mu.Lock()
	t.cooldownUntil = time.Now().Add(loginCooldown)
	t.mu.Unlock()
}

// mayLoginAgain reports whether a fresh login may mend a 401: the store has
// credentials, and no fresh key was refused lately (see loginCooldown).
func (t *tokenStore) mayLoginAgain() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.canLogin() && !time.Now().Before(t.cooldownUntil)
}

// store replaces the key with a new generation and tells the key hook why: a key
// obtained, or the old one forgotten (kind). The caller holds mu, so that the hook
// hears of the changes in their order.
func (t *tokenStore) store(key string, kind KeyEventKind) heldKey {
	old := t.get()
	h := heldKey{key: key, gen: old.gen + 1, forms: newSecretForms(key)}
	t.held.Store(&h)
	if changed := cmp.Or(key, old.key); changed != "" { // the key obtained, else the one forgotten
		t.events.post(KeyEvent{Kind: kind, Key: changed})
	}
	return h
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
	case <-f.done:
	case <-ctx.Done():
		select {
		case <-f.done: // an outcome there is wins over a context that ended too
		default:
			return heldKey{}, nil, fmt.Errorf("whippyware: waiting for the login: %w", ctx.Err())
		}
	}
	return f.held, f.resp, f.err
}

// login posts the credentials and returns the key the service answered.
func (t *tokenStore) login(ctx context.Context, c *Client) (string, *Response, error) {
	var out loginResponse
	resp, err := c.do(ctx, call{
		method:     http.MethodPost,
		path:       apiPrefix + "auth/login/",
		body:       loginRequest{Username: t.username, Password: t.password},
		out:        &out,
		login:      true,
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

// secretForms matches a secret as sent and as a service, a proxy or a template
// may echo it: JSON-escaped (\u00e9, \"), URL-encoded (%C3%A9, + for a space) or
// HTML-escaped (&amp;, &#39;, &#x27;), one character at a time, so that mixed
// forms match too; and each escape written once more into a JSON string (\\u00e9,
// \u0026amp;), as an error body's JSON message quoting an escaped echo has it.
type secretForms struct {
	re *regexp.Regexp
	// short marks a secret under six characters, which could match ordinary text
	// ("test" in "test_pass"): a body that holds it is left out whole.
	short bool
}

// In the patterns below, amp is an & and backslash a \ as written or escaped
// in a JSON string.
const amp, backslash = `(?:&|\\u0026)`, `\\{1,2}`

// otherForms are the escapes of a character that no numeric form covers; \" in
// a JSON string is \\\".
var otherForms = map[rune]string{'"': `\\{1,3}"|` + amp + `quot;`, '\\': backslash + backslash, '/': backslash + `/`,
	' ': `\+`, '&': amp + `amp;`, '<': amp + `lt;`, '>': amp + `gt;`, '\'': amp + `apos;`}

func newSecretForms(secret string) *secretForms {
	if secret == "" {
		return nil
	}
	var pattern strings.Builder
	for _, r := range secret {
		jsonEscape := fmt.Sprintf(`%su%04x`, backslash, r)
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			jsonEscape = fmt.Sprintf(`%su%04x%su%04x`, backslash, r1, backslash, r2) // a surrogate pair
		}
		percent := "%" + strings.ReplaceAll(fmt.Sprintf("% x", string(r)), " ", "%") // %c3%a9 for é
		fmt.Fprintf(&pattern, `(?:%s|(?i:%s|%s|%s#x0*%x;|%s#0*%d;`, regexp.QuoteMeta(string(r)), jsonEscape, percent, amp, r, amp, r)
		if other, ok := otherForms[r]; ok {
			pattern.WriteString("|" + other)
		}
		pattern.WriteString("))")
	}
	return &secretForms{re: regexp.MustCompile(pattern.String()), short: utf8.RuneCountInString(secret) < 6}
}

// redact replaces each secret in body, in any of its forms, by "[redacted]", so
// that a service or proxy echoing a request cannot pass a password or key into
// an error; a body that holds a short secret is left out whole.
func redact(body []byte, secrets ...*secretForms) []byte {
	for _, s := range secrets {
		switch {
		case s == nil || !s.re.Match(body):
		case s.short:
			return []byte("[left out: the body may hold the password or key]")
		default:
			body = s.re.ReplaceAllLiteral(body, []byte("[redacted]"))
		}
	}
	return body
}
