package whippywaretest_test

import (
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestLoginReturnsTheUsersOneKeyUntilItIsExpired(t *testing.T) {
	c := dial(t, wt.WithUser("test", "test_pass"), wt.WithUser("other", "pw"))
	first := c.key
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{40}$`), first)
	assert.Equal(t, first, c.login(wt.DefaultUsername, wt.DefaultPassword), "authtoken keeps one key per user")
	assert.NotEqual(t, first, c.login("other", "pw"), "each user has a key of their own")

	assert.Equal(t, http.StatusNoContent, c.do(http.MethodPost, "/api/v1/expire-token/", `{"username": "test"}`).status)
	second := c.login(wt.DefaultUsername, wt.DefaultPassword)
	assert.NotEqual(t, first, second, "after expire-token the next login makes a new key")
	c.key = second
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status)
}

func TestLoginErrors(t *testing.T) {
	c := dial(t)
	c.key = ""
	// The request body of the documented example logs in.
	r := c.do(http.MethodPost, "/api/v1/auth/login/", fixture(t, "login_request.json"))
	assert.Equal(t, http.StatusOK, r.status)
	assert.Len(t, r.object()["key"], 40)

	r = c.do(http.MethodPost, "/api/v1/auth/login/", "{}")
	requireJSON(t, r, http.StatusBadRequest, fixture(t, "login_400_missing_fields.json"))

	r = c.do(http.MethodPost, "/api/v1/auth/login/", `{"username": "test", "password": "wrong"}`)
	requireJSON(t, r, http.StatusBadRequest, `{"non_field_errors": ["Unable to log in with provided credentials."]}`)

	r = c.do(http.MethodPost, "/api/v1/auth/login/", `{"username": "nobody", "password": "test_pass"}`)
	requireJSON(t, r, http.StatusBadRequest, `{"non_field_errors": ["Unable to log in with provided credentials."]}`)

	r = c.do(http.MethodPost, "/api/v1/auth/login/", `{"username": "", "password": "x"}`)
	requireJSON(t, r, http.StatusBadRequest, `{"username": ["This field may not be blank."]}`)

	r = c.do(http.MethodGet, "/api/v1/auth/login/", nil)
	requireJSON(t, r, http.StatusMethodNotAllowed, `{"detail": "Method \"GET\" not allowed."}`)
}

func TestEndpointsRequireAValidKey(t *testing.T) {
	c := dial(t)
	cases := []struct{ name, header, detail string }{
		{"no header", "", "Authentication credentials were not provided."},
		{"other scheme", "Bearer abc", "Authentication credentials were not provided."},
		{"unknown key", "Token 0123456789abcdef0123456789abcdef01234567", "Invalid token."},
		{"no key", "Token", "Invalid token header. No credentials provided."},
		{"spaces", "Token a b", "Invalid token header. Token string should not contain spaces."},
	}
	paths := []string{"/api/v1/providers/", "/api/v1/stocks/1/", "/api/v1/stock-lists/", "/api/v1/expire-token/"}
	for _, tc := range cases {
		c.key, c.authorization = "", tc.header
		for _, path := range paths {
			r := c.do(http.MethodGet, path, nil)
			requireJSON(t, r, http.StatusUnauthorized, `{"detail": "`+tc.detail+`"}`)
			assert.Equal(t, "Token", r.header.Get("WWW-Authenticate"), "%s %s", tc.name, path)
		}
	}
}

func TestExpireTokenWithdrawsEveryKeyOfThatUserOnly(t *testing.T) {
	c := dial(t, wt.WithUser("test", "test_pass"), wt.WithUser("other", "other_pass"))
	other := *c
	other.key = c.login("other", "other_pass")
	second := c.login("test", "test_pass")

	r := c.do(http.MethodPost, "/api/v1/expire-token/", fixture(t, "expire_token_request.json"))
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.raw)

	for _, key := range []string{c.key, second} {
		c.key = key
		r = c.do(http.MethodGet, "/api/v1/providers/", nil)
		requireJSON(t, r, http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	}
	assert.Equal(t, http.StatusOK, other.do(http.MethodGet, "/api/v1/providers/", nil).status)
}

func TestExpireTokenErrors(t *testing.T) {
	c := dial(t)
	r := c.do(http.MethodPost, "/api/v1/expire-token/", "{}")
	requireJSON(t, r, http.StatusBadRequest, fixture(t, "expire_token_400.json"))

	r = c.do(http.MethodPost, "/api/v1/expire-token/", `{"username": "nobody"}`)
	requireJSON(t, r, http.StatusBadRequest, `{"username": ["User not found."]}`)

	r = c.do(http.MethodGet, "/api/v1/expire-token/", nil)
	requireJSON(t, r, http.StatusMethodNotAllowed, `{"detail": "Method \"GET\" not allowed."}`)

	// The key still works: nothing was expired.
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status)
}

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestKeyLifetime(t *testing.T) {
	clk := &clock{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	c := dial(t, wt.WithKeyLifetime(time.Hour), wt.WithClock(clk.Now))

	clk.Advance(59 * time.Minute)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status)
	clk.Advance(time.Minute)
	requireJSON(t, c.do(http.MethodGet, "/api/v1/providers/", nil), http.StatusUnauthorized, `{"detail": "Invalid token."}`)

	c.key = c.login(wt.DefaultUsername, wt.DefaultPassword)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status)
}

func TestExpireTokensWithdrawsEveryKey(t *testing.T) {
	c := dial(t)
	c.srv.ExpireTokens()
	requireJSON(t, c.do(http.MethodGet, "/api/v1/providers/", nil), http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	c.key = c.login(wt.DefaultUsername, wt.DefaultPassword)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/providers/", nil).status)
}

// The login's fields are CharFields: the password is not trimmed, but a NUL in it is refused
// like in any other, before the credentials are checked.
func TestLoginFields(t *testing.T) {
	runExchanges(t, []exchange{
		{item: "authtoken/serializers.py AuthTokenSerializer.password: CharField(trim_whitespace=False) keeps ProhibitNullCharactersValidator",
			method: "POST", path: "/api/v1/auth/login/", header: map[string]string{"Content-Type": jsonCT},
			body: `{"username":"test","password":" \u0000 "}`, status: 400, want: `{"password":["Null characters are not allowed."]}`},
		{item: "AuthTokenSerializer.password: white space is not blank, only wrong",
			method: "POST", path: "/api/v1/auth/login/", header: map[string]string{"Content-Type": jsonCT},
			body: `{"username":"test","password":"  "}`, status: 400,
			want: `{"non_field_errors":["Unable to log in with provided credentials."]}`},
	})
}
