package whippyware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// Reliability: nothing reachable from a value, *Response or error the SDK returns
// holds the password or a key, on success, on a re-login, on a failed automatic
// login, on a malformed login answer, and when the service echoes what it was sent.

// returned is what one call handed back.
type returned struct {
	name  string
	value any
	resp  *whippyware.Response
	err   error
}

// TestReturnedValuesHoldNoSecrets runs calls that carry the password or a key and
// checks everything they return: %v, %+v and %#v of each value, *Response, its
// *http.Response and *http.Request, and error; resp.Request has no Authorization
// header, no body and no GetBody; resp.Body reads nothing; and no string or byte
// slice reachable from any of them, followed through pointers, interfaces and
// unexported fields, contains a secret.
func TestReturnedValuesHoldNoSecrets(t *testing.T) {
	const user, password, wrongPassword = "keeper", "pw-7d41b2-do-not-leak", "pw-wrong-0e93aa-do-not-leak"
	ctx := context.Background() // not t.Context(): a test's context reaches the whole test
	srv := wt.NewTestServer(t, wt.WithUser(user, password))
	c := srv.Client()
	var got []returned
	add := func(name string, value any, resp *whippyware.Response, err error) {
		got = append(got, returned{name, value, resp, err})
	}

	p, resp, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "P", Code: "p"})
	require.NoError(t, err, "lazy login, then a create")
	add("create after a lazy login", p, resp, err)
	srv.ExpireTokens()
	v, resp, err := c.Providers.Get(ctx, p.ID)
	require.NoError(t, err, "401, one re-login, resent")
	add("get after a re-login", v, resp, err)
	page, resp, err := c.Providers.List(ctx, nil)
	require.NoError(t, err)
	add("list", page, resp, err)
	_, resp, err = c.Providers.Get(ctx, 9999)
	require.ErrorIs(t, err, whippyware.ErrNotFound)
	add("get of a missing id", nil, resp, err)
	resp, err = c.Auth.Login(ctx)
	require.NoError(t, err)
	add("Auth.Login", nil, resp, err)
	resp, err = c.Auth.Logout(ctx)
	require.NoError(t, err)
	add("Auth.Logout", nil, resp, err)

	wrong := srv.Client(whippyware.WithCredentials(user, wrongPassword))
	_, resp, err = wrong.Providers.List(ctx, nil)
	require.ErrorIs(t, err, whippyware.ErrInvalidCredentials)
	require.NotNil(t, resp, "the refused login's answer")
	add("automatic login refused", nil, resp, err)

	srv.FailNext(1, wt.Fault{Method: http.MethodPost, Path: relLoginPath, Status: http.StatusBadGateway})
	_, resp, err = srv.Client(whippyware.WithoutRetries()).Providers.List(ctx, nil)
	require.ErrorIs(t, err, whippyware.ErrServer)
	require.NotNil(t, resp)
	add("automatic login answered 502", nil, resp, err)

	// Keys the service handed out: every one the fake saw.
	secrets := map[string]string{"the password": password, "the wrong password": wrongPassword}
	for _, r := range srv.Requests() {
		if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token "); ok {
			secrets["key "+key[:4]] = key
		}
	}
	require.GreaterOrEqual(t, len(secrets), 4, "keys to look for: before and after ExpireTokens, after Logout")

	// Answers the fake never gives, from a loopback server: malformed login answers
	// that hold a key, and error bodies that echo the password or the key sent.
	const echoedKey, numericKey = "k-echoed-51c0f7", "98765432123"
	secrets["a key in a malformed login answer"] = "k-malformed-2b9e44"
	secrets["a numeric key"] = numericKey
	secrets["an echoed key"] = echoedKey
	for name, answer := range map[string]struct {
		status int
		body   string
	}{
		"login answer cut short":        {200, `{"key": "k-malformed-2b9e44`},
		"login answer, key a number":    {200, `{"key": ` + numericKey + `}`},
		"login answer, HTML":            {200, `<html><p>your key: k-malformed-2b9e44</p></html>`},
		"login 400 echoing the body":    {400, `{"password": ["` + password + ` is too common"]}`},
		"login 500 echoing the request": {500, `username=keeper&password=` + password},
	} {
		srv := echoServer(t, answer.status, answer.body, "")
		c, err := whippyware.NewClient(srv.URL, whippyware.WithCredentials(user, password), whippyware.WithoutRetries())
		require.NoError(t, err)
		_, resp, err := c.Providers.List(ctx, nil)
		require.Error(t, err, name)
		require.NotNil(t, resp, name)
		add(name, nil, resp, err)
	}
	echo := echoServer(t, 0, "", `{"detail": "Invalid token `+echoedKey+`."}`)
	keyOnly, err := whippyware.NewClient(echo.URL, whippyware.WithKey(echoedKey))
	require.NoError(t, err)
	_, resp, err = keyOnly.Providers.Get(ctx, 1)
	require.ErrorIs(t, err, whippyware.ErrUnauthorized)
	add("401 echoing the key", nil, resp, err)

	for _, r := range got {
		t.Run(r.name, func(t *testing.T) {
			if r.resp != nil {
				checkResponseHoldsNoSecret(t, r.resp)
			}
			texts := []string{fmt.Sprintf("%v\n%+v\n%#v", r.value, r.value, r.value)}
			roots := []any{r.value, r.resp, r.err}
			if r.resp != nil {
				texts = append(texts, fmt.Sprintf("%v\n%+v\n%#v", r.resp, r.resp, r.resp),
					fmt.Sprintf("%v\n%+v\n%#v", *r.resp.Response, *r.resp.Response, *r.resp.Response),
					fmt.Sprintf("%v\n%+v\n%#v", *r.resp.Request, *r.resp.Request, *r.resp.Request))
			}
			if r.err != nil {
				texts = append(texts, fmt.Sprintf("%s\n%v\n%+v\n%#v\n%q", r.err.Error(), r.err, r.err, r.err, r.err))
			}
			for label, secret := range secrets {
				for _, text := range texts {
					// Not assert.NotContains: its message would print the secret.
					assert.Falsef(t, strings.Contains(text, secret), "a formatted value holds %s", label)
				}
				for _, root := range roots {
					if path, ok := reachable(root, secret); ok {
						t.Errorf("%s is reachable at %s", label, path)
					}
				}
			}
		})
	}
}

// checkResponseHoldsNoSecret checks the ways a caller reaches the request and body
// behind a *Response.
func checkResponseHoldsNoSecret(t *testing.T, resp *whippyware.Response) {
	t.Helper()
	req := resp.Request
	require.NotNil(t, req, "the request is kept for its method and URL")
	assert.NotEmpty(t, req.Method)
	assert.NotNil(t, req.URL)
	assert.Empty(t, req.Header.Values("Authorization"), "resp.Request carries no key")
	assert.Nil(t, req.GetBody, "resp.Request cannot replay its body")
	assert.Nil(t, req.Body, "resp.Request has no body")
	assert.Nil(t, req.Response, "no chain of redirected requests")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Empty(t, body, "the answer's body was read already")
}

// echoServer answers login with loginStatus and loginBody, and anything else with
// a 401 whose body is otherBody.
func echoServer(t *testing.T, loginStatus int, loginBody, otherBody string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == relLoginPath {
			w.WriteHeader(loginStatus)
			io.WriteString(w, loginBody)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, otherBody)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// reachable reports whether secret is in a string or byte slice reachable from
// root, through pointers, interfaces, structs (unexported fields included), maps,
// slices and arrays, and where. Functions and channels cannot be looked into
// (resp.Request.GetBody is checked to be nil instead).
func reachable(root any, secret string) (string, bool) {
	w := &secretWalk{secret: secret, seen: map[visit]bool{}}
	w.walk(reflect.ValueOf(root), fmt.Sprintf("(%T)", root), 0)
	return w.found, w.found != ""
}

type visit struct {
	ptr uintptr
	typ reflect.Type
}

type secretWalk struct {
	secret string
	seen   map[visit]bool
	found  string
}

func (w *secretWalk) walk(v reflect.Value, path string, depth int) {
	if w.found != "" || !v.IsValid() || depth > 64 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if strings.Contains(v.String(), w.secret) {
			w.found = path
		}
	case reflect.Pointer, reflect.Map:
		if v.IsNil() || w.seen[visit{v.Pointer(), v.Type()}] {
			return
		}
		w.seen[visit{v.Pointer(), v.Type()}] = true
		if v.Kind() == reflect.Pointer {
			w.walk(v.Elem(), path, depth+1)
			return
		}
		for it := v.MapRange(); it.Next(); {
			w.walk(it.Key(), path+"[key]", depth+1)
			w.walk(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), depth+1)
		}
	case reflect.Interface:
		w.walk(v.Elem(), path, depth+1)
	case reflect.Struct:
		if v.Type().PkgPath() == "context" {
			// A context's own fields change under its mutex (a detached login's
			// timer cancels it), so reading them here would race; the SDK puts no
			// secret in a context, only the call's attempt counter.
			return
		}
		for i := range v.NumField() {
			w.walk(v.Field(i), path+"."+v.Type().Field(i).Name, depth+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if strings.Contains(string(v.Bytes()), w.secret) {
				w.found = path
			}
			return
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	}
}

// TestReachableFindsWhatIsThere: the walk finds a secret behind an unexported
// field, an interface, a map and a byte slice, and ends on a cycle, so that the
// test above can fail and cannot hang.
func TestReachableFindsWhatIsThere(t *testing.T) {
	type inner struct{ hidden []byte }
	type outer struct {
		self *outer
		m    map[string]any
	}
	root := &outer{m: map[string]any{"x": &inner{hidden: []byte("a-secret-b")}}}
	root.self = root
	path, ok := reachable(root, "secret")
	require.True(t, ok)
	assert.Contains(t, path, "hidden")
	_, ok = reachable(root, "absent")
	assert.False(t, ok)
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token the-key")
	_, ok = reachable(&http.Response{Request: req}, "the-key")
	assert.True(t, ok, "a header behind a response")
}

// TestSecretsNeverLeakUnderFailuresFake runs succeeding and failing calls at debug logging
// (401 and re-login, 400, 404, 429, 503, dropped connections, logout, a withdrawn fixed
// key, a wrong password) and looks for the passwords and every key in the log, in every
// error's text and in the formatted clients. TestSecretsNeverLeakMock is its httpmock
// counterpart inside the package.
func TestSecretsNeverLeakUnderFailuresFake(t *testing.T) {
	const user, password, wrongPassword = "keeper", "pw-3f9a1c-do-not-leak", "pw-wrong-77c1e0-do-not-leak"
	srv := wt.NewTestServer(t, wt.WithUser(user, password))
	var logs bytes.Buffer // one handler for all clients: slog serialises its writes
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := srv.Client(whippyware.WithLogger(logger), whippyware.WithRetryMax(2))
	ctx := t.Context()

	var errs []error
	failing := func(err error, want error) {
		t.Helper()
		require.ErrorIs(t, err, want)
		errs = append(errs, err)
	}
	// noAnswer: a dropped connection (EOF, or a reset, as the socket has it).
	noAnswer := func(err error) {
		t.Helper()
		require.Error(t, err)
		var apiErr *whippyware.APIError
		require.False(t, errors.As(err, &apiErr), "no answer came: %v", err)
		errs = append(errs, err)
	}
	p, _, err := c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "P", Code: "p"})
	require.NoError(t, err, "lazy login, then a create")
	srv.ExpireTokens()
	_, _, err = c.Providers.Get(ctx, p.ID)
	require.NoError(t, err, "401, one re-login, resent")

	_, _, err = c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Code: "p"})
	failing(err, whippyware.ErrValidation)
	_, _, err = c.Providers.Get(ctx, 9999)
	failing(err, whippyware.ErrNotFound)
	// Longer than the zero longest wait: returned at once, not retried.
	srv.FailNext(1, wt.Fault{Method: http.MethodGet, Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second})
	_, _, err = c.Providers.List(ctx, nil)
	failing(err, whippyware.ErrRateLimited)
	srv.FailNext(3, wt.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable})
	_, _, err = c.Providers.List(ctx, nil)
	failing(err, whippyware.ErrServer)
	// Drops on a DELETE (retried by the SDK) and a POST (sent once): net/http itself
	// resends a GET whose reused connection closed without an answer, so a dropped GET
	// may never reach the SDK.
	srv.FailNext(3, wt.Fault{Method: http.MethodDelete, Drop: wt.DropBefore})
	_, err = c.Providers.Delete(ctx, p.ID)
	noAnswer(err)
	srv.FailNext(1, wt.Fault{Method: http.MethodPost, Drop: wt.DropAfter})
	_, _, err = c.Providers.Create(ctx, &whippyware.ProviderCreateRequest{Name: "Q", Code: "q"})
	noAnswer(err)

	withdrawn := c.Auth.Key()
	_, err = c.Auth.Logout(ctx)
	require.NoError(t, err)
	_, _, err = c.Providers.Get(ctx, p.ID)
	require.NoError(t, err, "a new login after logout")
	keyOnly, err := whippyware.NewClient(srv.URL, whippyware.WithKey(withdrawn),
		whippyware.WithHTTPClient(srv.HTTPClient()), whippyware.WithLogger(logger))
	require.NoError(t, err)
	_, _, err = keyOnly.Providers.Get(ctx, p.ID)
	failing(err, whippyware.ErrUnauthorized)
	wrong := srv.Client(whippyware.WithCredentials(user, wrongPassword), whippyware.WithLogger(logger))
	_, _, err = wrong.Providers.List(ctx, nil)
	failing(err, whippyware.ErrInvalidCredentials)

	// Every key the service saw, and the one the client holds: the first login's, the
	// one after ExpireTokens and the one after Logout.
	keys := []string{c.Auth.Key()}
	for _, r := range srv.Requests() {
		if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token "); ok && !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	require.Len(t, keys, 3, "keys to look for")
	secrets := map[string]string{"the password": password, "the wrong password": wrongPassword}
	for i, key := range keys {
		secrets[fmt.Sprintf("key %d", i+1)] = key
	}

	logged := logs.String()
	for _, want := range []string{"status=401", "status=400", "status=404", "status=429", "status=503",
		"whippyware retry", "whippyware request failed"} {
		require.Contains(t, logged, want, "the debug log covered every kind of failure")
	}
	texts := map[string]string{"debug log": logged}
	for i, err := range errs {
		texts[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%s\n%v\n%+v\n%#v\n%q", err.Error(), err, err, err, err)
	}
	for name, client := range map[string]*whippyware.Client{"client": c, "key-only client": keyOnly, "wrong-password client": wrong} {
		texts[name] = fmt.Sprintf("%v\n%+v\n%#v\n%s\n%v\n%+v", client, client, client, client, client.Auth, *client.Providers)
	}
	for name, text := range texts {
		for label, secret := range secrets {
			// Not assert.NotContains: its message would print the text, secret included.
			assert.Falsef(t, strings.Contains(text, secret), "the %s holds %s", name, label)
		}
	}
}

// secretEchoes returns the forms in which a service, a proxy or a template may
// echo secret: as sent, HTML-escaped (named and numeric, hex in either case),
// URL-encoded (+ or %20 for a space, hex in either case) and \u-escaped.
func secretEchoes(secret string) map[string]string {
	var hexLower, hexUpper, dec, pctLower, uLower, uUpper strings.Builder
	for _, r := range secret {
		fmt.Fprintf(&hexLower, "&#x%x;", r)
		fmt.Fprintf(&hexUpper, "&#X%X;", r)
		fmt.Fprintf(&dec, "&#%d;", r)
		for _, b := range []byte(string(r)) {
			fmt.Fprintf(&pctLower, "%%%02x", b)
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&uLower, `\u%04x`, u)
			fmt.Fprintf(&uUpper, `\u%04X`, u)
		}
	}
	marshalled, _ := json.Marshal(secret)
	return map[string]string{
		"raw":             secret,
		"html":            html.EscapeString(secret),
		"html &#x;":       hexLower.String(),
		"html &#X;":       hexUpper.String(),
		"html &#;":        dec.String(),
		"query":           url.QueryEscape(secret),
		"query lower hex": lowerHex(url.QueryEscape(secret)),
		"path":            url.PathEscape(secret),
		"percent lower":   pctLower.String(),
		"json":            strings.Trim(string(marshalled), `"`),
		`\u lower`:        uLower.String(),
		`\u upper`:        uUpper.String(),
	}
}

// TestErrorsOfEveryCallHoldNoSecretInAnyForm: whatever every service method,
// All, Client.Do, Auth.Login and Auth.Logout return as an error, for a 3xx, 4xx,
// 5xx or unreadable 2xx answer in text, HTML or JSON that echoes the password and
// the key in every form (raw, HTML-, URL- and \u-escaped, and each escape again
// inside a JSON string), holds neither, in its text or anywhere reachable.
func TestErrorsOfEveryCallHoldNoSecretInAnyForm(t *testing.T) {
	// The short password (under six characters) leaves each body that holds it
	// out whole.
	for _, password := range []string{`s3cr3t pa&ss'<é>"/w+x`, `c:\100%+sure!😀`, `p&é "`} {
		t.Run(password, func(t *testing.T) { checkErrorsOfEveryCall(t, password) })
	}
}

func checkErrorsOfEveryCall(t *testing.T, password string) {
	const user, key = "keeper", "k3yAbCdEf0123456789"
	forms := map[string]string{}
	for name, form := range secretEchoes(password) {
		forms["password "+name] = form
	}
	passwordForms := maps.Clone(forms)
	for name, form := range secretEchoes(key) {
		forms["key "+name] = form
	}
	var echo strings.Builder
	for name, form := range forms {
		fmt.Fprintf(&echo, "%s: %s\n", name, form)
	}
	jsonEcho, _ := json.Marshal(echo.String())
	bodies := []struct {
		status      int
		contentType string
		body        string
	}{
		{302, "text/plain", echo.String()},
		{400, "application/json", `{"detail": ` + string(jsonEcho) + `}`},
		{400, "application/json", `{"name": [` + string(jsonEcho) + `], "non_field_errors": [` + string(jsonEcho) + `]}`},
		{401, "application/json", `{"detail": ` + string(jsonEcho) + `}`},
		{403, "text/html", "<html><body><pre>" + echo.String() + "</pre></body></html>"},
		{404, "application/json", `{"detail": ` + string(jsonEcho) + `}`},
		{429, "text/plain", echo.String()},
		{500, "text/html", "<html>" + echo.String() + "</html>"},
		{502, "text/plain", "rejected: " + echo.String()},
		{503, "application/json", `{"detail": ` + string(jsonEcho) + `}`},
		{200, "text/html", "<html>" + echo.String() + "</html>"},
		{200, "application/json", `{"id": "` + echo.String() + `"}`},
	}
	for _, b := range bodies {
		t.Run(fmt.Sprintf("%d %s", b.status, b.contentType), func(t *testing.T) {
			mock := httpmock.NewMockTransport()
			answer := func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(b.status, b.body)
				resp.Header.Set("Content-Type", b.contentType)
				return resp, nil
			}
			mock.RegisterNoResponder(answer)
			mock.RegisterResponder(http.MethodPost, "https://whippy.test/api/v1/auth/login/", httpmock.NewStringResponder(200, `{"key": "`+key+`"}`))
			c, err := whippyware.NewClient("https://whippy.test", whippyware.WithCredentials(user, password),
				whippyware.WithHTTPClient(&http.Client{Transport: mock}), whippyware.WithoutRetries())
			require.NoError(t, err)
			ctx := context.Background()
			errs := map[string]error{}
			for name, err := range everyCall(ctx, c) {
				errs[name] = err
			}
			// The login itself refusing or failing, echoing the password and the key
			// the client holds.
			_, err = c.Auth.Login(ctx) // holds a key again, also after a Logout that succeeded
			require.NoError(t, err)
			mock.RegisterResponder(http.MethodPost, "https://whippy.test/api/v1/auth/login/", answer)
			_, errs["Auth.Login holding a key"] = c.Auth.Login(ctx)
			fresh, err := whippyware.NewClient("https://whippy.test", whippyware.WithCredentials(user, password),
				whippyware.WithHTTPClient(&http.Client{Transport: mock}), whippyware.WithoutRetries())
			require.NoError(t, err)
			_, errs["Auth.Login"] = fresh.Auth.Login(ctx)
			_, _, errs["Get with a failing login"] = fresh.Providers.Get(ctx, 1)
			for name, err := range errs {
				forms := forms
				if strings.Contains(name, "failing login") || name == "Auth.Login" {
					forms = passwordForms // that client never had a key
				}
				if b.status == 200 && name == "Auth.Logout" || b.status == 200 && strings.HasSuffix(name, ".Delete") {
					continue // nothing decoded
				}
				if !assert.Error(t, err, name) {
					continue
				}
				for _, text := range errorTexts(err) {
					for form, secret := range forms {
						if strings.Contains(text, secret) {
							t.Errorf("%s: the error holds the %s", name, form)
						}
					}
				}
				for form, secret := range forms {
					if path, ok := reachable(err, secret); ok {
						t.Errorf("%s: the %s is reachable at %s", name, form, path)
					}
				}
			}
		})
	}
}

// lowerHex writes the hex digits of each %XX in s in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = strings.ToLower(string(b[i+1]))[0], strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

// errorTexts is every text a caller may print of err and of each error it wraps.
func errorTexts(err error) []string {
	var texts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error(), fmt.Sprintf("%v %+v %#v %q", e, e, e, e))
		var apiErr *whippyware.APIError
		if errors.As(e, &apiErr) {
			texts = append(texts, string(apiErr.Body), apiErr.Detail)
		}
		var vErr *whippyware.ValidationError
		if errors.As(e, &vErr) {
			texts = append(texts, fmt.Sprint(vErr.Fields, vErr.NonField, vErr.Messages()))
		}
	}
	return texts
}

// everyCall runs every service method (through reflection, so that a method
// added later is covered), Client.Do and Auth.Logout, and yields each one's error.
func everyCall(ctx context.Context, c *whippyware.Client) func(yield func(string, error) bool) {
	return func(yield func(string, error) bool) {
		cv := reflect.ValueOf(c).Elem()
		errType := reflect.TypeFor[error]()
		for i := range cv.NumField() {
			f := cv.Field(i)
			if !cv.Type().Field(i).IsExported() || f.Kind() != reflect.Pointer || cv.Type().Field(i).Name == "Auth" {
				continue
			}
			for m := range f.NumMethod() {
				method := f.Method(m)
				mt := method.Type()
				name := cv.Type().Field(i).Name + "." + f.Type().Method(m).Name
				var args []reflect.Value
				for p := range mt.NumIn() {
					in := mt.In(p)
					switch {
					case mt.IsVariadic() && p == mt.NumIn()-1:
					case in == reflect.TypeFor[context.Context]():
						args = append(args, reflect.ValueOf(ctx))
					case in.Kind() == reflect.Int64:
						args = append(args, reflect.ValueOf(int64(1)))
					case in.Kind() == reflect.Pointer:
						args = append(args, reflect.New(in.Elem()))
					default:
						panic(name + ": " + in.String())
					}
				}
				out := method.Call(args)
				var err error
				if len(out) == 1 && out[0].Kind() == reflect.Func { // an iterator
					seq := out[0]
					yieldItem := reflect.MakeFunc(seq.Type().In(0), func(a []reflect.Value) []reflect.Value {
						if !a[1].IsNil() {
							err = a[1].Interface().(error)
						}
						return []reflect.Value{reflect.ValueOf(false)}
					})
					seq.Call([]reflect.Value{yieldItem})
				} else if last := out[len(out)-1]; last.Type() == errType && !last.IsNil() {
					err = last.Interface().(error)
				}
				if !yield(name, err) {
					return
				}
			}
		}
		var out map[string]any
		_, err := c.Do(ctx, http.MethodPost, "api/v1/stock-imports/", map[string]string{"a": "b"}, &out)
		if !yield("Client.Do", err) {
			return
		}
		_, err = c.Auth.Logout(ctx)
		yield("Auth.Logout", err)
	}
}
