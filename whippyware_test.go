package whippyware

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPathPrefixWithoutSlash: a base path without its trailing slash must not lose
// its last segment when paths are resolved against it.
func TestPathPrefixWithoutSlash(t *testing.T) {
	mock := httpmock.NewMockTransport()
	rec := recordJSON(mock, http.MethodGet, "https://whippy.test/a/b/api/v1/providers/1/", 200, providerJSON)
	c, err := NewClient("https://whippy.test/a/b", WithKey(testKey), WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	p, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, "provider_company", p.Code)
	assert.NotNil(t, rec.Load())
}

// TestSecretsNeverLeakMock runs failing and succeeding calls at debug level on httpmock
// and looks for the password and keys in every log line, error text and formatted
// value, the unexported token store included, which TestSecretsNeverLeakUnderFailuresFake
// (the same on the fake, with more failures) cannot reach from outside the package.
func TestSecretsNeverLeakMock(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mock := newMockClient(t, WithKey("old-secret-key"), WithLogger(logger))
	mockLogin(mock, "new-secret-key")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") == "Token old-secret-key" {
			return httpmock.NewStringResponse(401, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(200, providerJSON), nil
	})
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/2/", httpmock.NewStringResponder(503, "down").Then(httpmock.NewStringResponder(404, `{"detail": "Not found."}`)))

	var texts []string
	_, _, err := c.Providers.Get(context.Background(), 1)
	require.NoError(t, err)
	_, _, err = c.Providers.Get(context.Background(), 2)
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v %s", err, err, err, err))
	texts = append(texts, fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%v %+v %#v", *c.Auth, c.Providers, c.tokens))
	texts = append(texts, logs.String())
	require.Contains(t, logs.String(), "whippyware retry", "the debug log ran")
	for _, text := range texts {
		for _, secret := range []string{testPassword, "old-secret-key", "new-secret-key"} {
			assert.NotContains(t, text, secret)
		}
	}
	assert.Contains(t, c.String(), `credentials(user "test")`)
}

// resolve builds the URL of an item in one concatenation; it is what
// ResolveReference gives for path + id + "/", whatever the id's digits.
func TestResolveItemPath(t *testing.T) {
	for _, base := range []string{"https://stock.example.com", "https://example.com/whippy/", "http://127.0.0.1:8080/a/b"} {
		c, err := NewClient(base, WithKey(testKey))
		require.NoError(t, err)
		for _, id := range []int64{0, 1, 99, 100, 123456789, math.MaxInt64} {
			rel := apiPrefix + "providers/"
			if id > 0 {
				rel += strconv.FormatInt(id, 10) + "/"
			}
			want := c.baseURL.ResolveReference(&url.URL{Path: rel, RawQuery: "limit=5"})
			got := c.resolve(apiPrefix+"providers/", id, url.Values{"limit": {"5"}})
			assert.Equal(t, want.String(), got.String(), "%s, id %d", base, id)
		}
	}
}

// Attempts counts the attempt answered 401 also when the resend gets no answer.
func TestConnectionErrorAttemptsCountTheRequestBeforeTheRelogin(t *testing.T) {
	c, mock := newMockClient(t, WithKey("old-key"), WithoutRetries())
	mockLogin(mock, "new-key")
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/",
		httpmock.NewStringResponder(401, `{"detail": "Invalid token."}`).Then(httpmock.ConnectionFailure))
	_, _, err := c.Providers.Get(context.Background(), 1)
	var connErr *ConnectionError
	require.ErrorAs(t, err, &connErr)
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+testAPI+"providers/1/"])
	assert.Equal(t, 2, connErr.Attempts, "the request was sent twice")
}

// An answer to any call, not only the login, that echoes the password or the key
// leaves both out of the error: an APIError's Detail and Body, and the snippet of
// an answer that does not decode. With a password under six characters the body
// is left out instead.
func TestErrorsOfEveryCallLeaveOutTheSecrets(t *testing.T) {
	for _, password := range []string{testPassword, "pw12"} {
		t.Run(password, func(t *testing.T) {
			c, mock := newMockClientWith(t, WithCredentials(testUser, password), WithRetryMax(0))
			mockLogin(mock, testKey)
			echo := "rejected: username=test password=" + url.QueryEscape(password) + " key=" + testKey
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/", httpmock.NewStringResponder(502, echo))
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/1/", httpmock.NewStringResponder(200, `<p>`+echo+`</p>`))
			_, _, listErr := c.Stocks.List(context.Background(), nil)
			var apiErr *APIError
			require.ErrorAs(t, listErr, &apiErr)
			assert.Equal(t, 502, apiErr.StatusCode)
			_, _, getErr := c.Stocks.Get(context.Background(), 1)
			require.ErrorIs(t, getErr, ErrUnexpectedResponse)
			for _, text := range []string{listErr.Error(), string(apiErr.Body), getErr.Error()} {
				assert.NotContains(t, text, password)
				assert.NotContains(t, text, testKey)
			}
			if password == testPassword {
				assert.Contains(t, listErr.Error(), "password=[redacted] key=[redacted]", "the rest of the message stays")
			}
		})
	}
}
