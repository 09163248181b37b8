package whippyware

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		is       error
		fields   map[string][]string
		nonField []string
		detail   string
	}{
		{"missing fields", 400, `{"username": ["This field is required."], "password": ["This field is required."]}`, ErrValidation,
			map[string][]string{"username": {"This field is required."}, "password": {"This field is required."}}, nil, ""},
		{"non field", 400, `{"non_field_errors": ["Unable to log in with provided credentials."]}`, ErrValidation,
			map[string][]string{}, []string{"Unable to log in with provided credentials."}, ""},
		{"nested", 400, `{"rule": {"providers": ["This field is required."]}}`, ErrValidation,
			map[string][]string{"rule.providers": {"This field is required."}}, nil, ""},
		{"list", 400, `["Stock list code already exists."]`, ErrValidation,
			map[string][]string{}, []string{"Stock list code already exists."}, ""},
		{"plain string", 400, `{"code": "Invalid value."}`, ErrValidation,
			map[string][]string{"code": {"Invalid value."}}, nil, ""},
		{"detail 400", 400, `{"detail": "JSON parse error - Expecting value"}`, ErrValidation,
			map[string][]string{}, []string{"JSON parse error - Expecting value"}, "JSON parse error - Expecting value"},
		{"no credentials", 401, `{"detail": "Authentication credentials were not provided."}`, ErrUnauthorized, nil, nil, "Authentication credentials were not provided."},
		{"not found", 404, `{"detail": "Not found."}`, ErrNotFound, nil, nil, "Not found."},
		{"invalid page", 404, `{"detail": "Invalid page."}`, ErrNotFound, nil, nil, "Invalid page."},
		{"throttled", 429, `{"detail": "Request was throttled. Expected available in 12 seconds."}`, ErrRateLimited, nil, nil, "Request was throttled. Expected available in 12 seconds."},
		{"proxy html", 502, "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>", ErrServer, nil, nil, "<html> <head><title>502 Bad Gateway</title></head> </html>"},
		{"empty 503", 503, "", ErrServer, nil, nil, ""},
		{"method not allowed", 405, `{"detail": "Method \"PUT\" not allowed."}`, nil, nil, nil, `Method "PUT" not allowed.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newKeyClient(t, WithoutRetries())
			mock.RegisterResponder(http.MethodGet, testAPI+"stock-lists/1/", httpmock.NewStringResponder(tc.status, tc.body))
			_, resp, err := c.StockLists.Get(context.Background(), 1)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, tc.status, resp.StatusCode)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			for _, other := range []error{ErrValidation, ErrUnauthorized, ErrNotFound, ErrRateLimited, ErrServer} {
				if other != tc.is {
					assert.NotErrorIs(t, err, other)
				}
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, testAPI+"stock-lists/1/", apiErr.URL)
			assert.Equal(t, tc.detail, apiErr.Detail)
			assert.Equal(t, tc.body, string(apiErr.Body))
			var vErr *ValidationError
			if tc.status != 400 {
				assert.False(t, errors.As(err, &vErr))
				return
			}
			require.ErrorAs(t, err, &vErr)
			assert.Equal(t, tc.fields, vErr.Fields)
			assert.Equal(t, tc.nonField, vErr.NonField)
			for _, msgs := range tc.fields {
				assert.Contains(t, err.Error(), msgs[0])
			}
		})
	}
}

// An error keeps the body it quotes after the buffer it was read into has been
// reused by the calls that follow.
func TestErrorBodyOutlivesLaterCalls(t *testing.T) {
	c, mock := newKeyClient(t)
	first := `{"code": ["first error"]}`
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(400, first))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/2/", httpmock.NewStringResponder(400, `{"code": ["XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"]}`))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/3/", httpmock.NewStringResponder(200, providerJSON))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/4/", httpmock.NewStringResponder(200, `{"detail": "not a provider"}`))
	ctx := context.Background()
	_, _, err := c.Providers.Get(ctx, 1)
	var vErr *ValidationError
	require.ErrorAs(t, err, &vErr)
	_, _, decodeErr := c.Providers.Get(ctx, 4)
	require.ErrorIs(t, decodeErr, ErrUnexpectedResponse)
	decodeMsg := decodeErr.Error()
	for range 20 {
		_, _, err2 := c.Providers.Get(ctx, 2)
		require.Error(t, err2)
		p, _, err3 := c.Providers.Get(ctx, 3)
		require.NoError(t, err3)
		assert.Equal(t, "Provider", p.Name)
	}
	assert.Equal(t, first, string(vErr.Body))
	assert.Equal(t, []string{"first error"}, vErr.Fields["code"])
	assert.Equal(t, decodeMsg, decodeErr.Error())
	assert.Contains(t, decodeMsg, "not a provider")
}

// TestRedactReplacesSecretsAsSentAndAsJSON: an echo of the password in a JSON body
// has its quotes and backslashes escaped; both forms are replaced, and a body with
// no secret is returned as it is.
func TestRedactReplacesSecretsAsSentAndAsJSON(t *testing.T) {
	const password = `pa"ss\word`
	body := []byte(`{"password": ["pa\"ss\\word is too common"], "raw": "pa"ss\word"}`)
	got := string(redact(body, nil, newSecretForms(password)))
	assert.Equal(t, `{"password": ["[redacted] is too common"], "raw": "[redacted]"}`, got)

	clean := []byte(`{"detail": "Invalid token."}`)
	same := redact(clean, newSecretForms("some-key"), newSecretForms(password))
	assert.Equal(t, &clean[0], &same[0], "no copy when there is nothing to replace")
}

func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"username": ["This field is required."], "password": ["This field is required."]}`,
		`{"non_field_errors": ["Unable to log in with provided credentials."]}`,
		`{"detail": "Invalid token."}`,
		`{"rule": {"providers": ["This field is required."]}}`,
		`["Stock list code already exists."]`,
		`{"code": "Invalid value."}`,
		`{"items": [{"sku": ["bad"]}, {}]}`,
		`<html><body>502 Bad Gateway</body></html>`,
		``, `null`, `7`, `"x"`, `{"a": {"b": {"c": [1, true, null]}}}`,
	} {
		for _, status := range []int{400, 401, 404, 429, 502} {
			f.Add(status, []byte(seed))
		}
	}
	u, _ := url.Parse(testAPI + "providers/")
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 300 + int(uint(status)%300)
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		err := newResponseError(http.MethodPost, u, resp, 1, body)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Fatalf("status %d gave %T %v", status, err, err)
		}
		var vErr *ValidationError
		if (status == 400) != errors.As(err, &vErr) {
			t.Fatalf("status %d gave %T", status, err)
		}
		if cap(apiErr.Body) > maxKeptBodyBytes {
			t.Fatalf("kept %d bytes of the body", cap(apiErr.Body))
		}
		if !json.Valid(body) && !utf8.ValidString(apiErr.Detail) {
			t.Fatalf("snippet %q is not valid UTF-8", apiErr.Detail)
		}
		_ = err.Error()
	})
}

// Every sentinel error and size limit of the package is declared in errors.go, where
// a reader looks for what a call can fail with and how much it reads.
func TestSentinelsAndLimitsLiveInErrorsGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	wanted := regexp.MustCompile(`^(Err|err)[A-Z]|^max[A-Z]`)
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_gen.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || (gen.Tok != token.VAR && gen.Tok != token.CONST) {
				continue
			}
			for _, spec := range gen.Specs {
				for _, id := range spec.(*ast.ValueSpec).Names {
					if wanted.MatchString(id.Name) {
						found++
						assert.Equal(t, "errors.go", name, "%s is declared in %s", id.Name, name)
					}
				}
			}
		}
	}
	assert.Greater(t, found, 10, "the sentinels and limits were found")
}

// Each form in which a service, a proxy or a template may echo a secret is
// redacted: as sent, JSON-escaped (Go's and Python's \u escapes, either case),
// URL-encoded (query and path, either case) and HTML-escaped (Go's and Django's).
func TestRedactReplacesEveryEscapedForm(t *testing.T) {
	const secret = `pä$s w<o>rd&"'/😀`
	goJSON, err := json.Marshal(secret)
	require.NoError(t, err)
	forms := map[string]string{
		"as sent":        secret,
		"JSON (Go)":      string(goJSON[1 : len(goJSON)-1]),
		"JSON (Python)":  `p\u00e4$s w<o>rd&\"'/\ud83d\ude00`,
		"JSON upper hex": `p\u00E4$s w\u003Co\u003Erd\u0026\"\u0027\/\uD83D\uDE00`,
		"every char \\u": `\u0070\u00e4\u0024\u0073\u0020\u0077\u003c\u006f\u003e\u0072\u0064\u0026\u0022\u0027\u002f\ud83d\ude00`,
		"query escaped":  url.QueryEscape(secret),
		"path escaped":   url.PathEscape(secret),
		"lower-case %xx": strings.ToLower(url.QueryEscape(secret)),
		"HTML (Go)":      html.EscapeString(secret),
		"HTML (Django)":  `pä$s w&lt;o&gt;rd&amp;&quot;&#x27;/😀`,
		"HTML (numeric)": `p&#228;$s w&#60;o&#62;rd&#38;&#34;&#39;&#47;&#128512;`,
	}
	for name, form := range forms {
		body := []byte(`{"detail": "rejected ` + form + ` as a password"}`)
		got := string(redact(body, newSecretForms(secret)))
		assert.Equal(t, `{"detail": "rejected [redacted] as a password"}`, got, name)
	}
}

// A secret under six characters is not replaced, which could cut words apart
// ("test" in "test_pass"): a body that holds it is left out whole, and a body
// that does not is kept.
func TestRedactLeavesOutABodyWithAShortSecret(t *testing.T) {
	short := newSecretForms("pw12")
	got := string(redact([]byte(`{"detail": "bad password pw12"}`), short))
	assert.NotContains(t, got, "pw12")
	assert.Contains(t, got, "left out")
	clean := `{"detail": "Not found."}`
	assert.Equal(t, clean, string(redact([]byte(clean), short)))
}
