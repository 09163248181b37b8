package whippyware

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stockImport is what the tests send to an endpoint the services do not wrap.
type stockImport struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

func TestDoSendsJSONWithTheKeyAndDecodesTheAnswer(t *testing.T) {
	c, mock := newKeyClient(t)
	last := recordJSON(mock, http.MethodPost, testAPI+"stock-imports/", http.StatusAccepted, `{"id": 7, "status": "queued"}`)

	var out stockImport
	resp, err := c.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/?dry_run=true", map[string]any{"provider": "main"}, &out)
	require.NoError(t, err)
	assert.Equal(t, stockImport{ID: 7, Status: "queued"}, out)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
	got := last.Load()
	require.NotNil(t, got)
	assert.Equal(t, "Token "+testKey, got.req.Header.Get("Authorization"))
	assert.Equal(t, "application/json", got.req.Header.Get("Content-Type"))
	assert.Equal(t, "true", got.req.URL.Query().Get("dry_run"))
	jsonEq(t, map[string]any{"provider": "main"}, got.body)
}

func TestDoLogsInAgainOnA401AndResends(t *testing.T) {
	c, mock := newMockClient(t, WithKey("old-key"))
	logins := mockLogin(mock, "new-key")
	mock.RegisterResponder(http.MethodGet, testAPI+"stock-imports/7/", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "Token new-key" {
			return httpmock.NewStringResponse(http.StatusUnauthorized, `{"detail": "Invalid token."}`), nil
		}
		return httpmock.NewStringResponse(http.StatusOK, `{"id": 7, "status": "done"}`), nil
	})

	var out stockImport
	resp, err := c.Do(t.Context(), http.MethodGet, "api/v1/stock-imports/7/", nil, &out)
	require.NoError(t, err)
	assert.Equal(t, "done", out.Status)
	assert.Equal(t, int64(1), logins.Load())
	assert.Equal(t, 2, resp.Attempts, "the 401 and the resend")
	assert.Equal(t, "new-key", c.Auth.Key())
}

func TestDoRetriesByMethod(t *testing.T) {
	t.Run("GET is retried after a 503", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodGet, testAPI+"stock-imports/7/",
			httpmock.NewStringResponder(503, "busy").Then(httpmock.NewStringResponder(503, "busy")).Then(httpmock.NewStringResponder(200, `{"id": 7}`)))
		var out stockImport
		resp, err := c.Do(t.Context(), http.MethodGet, "api/v1/stock-imports/7/", nil, &out)
		require.NoError(t, err)
		assert.Equal(t, 3, resp.Attempts)
		assert.Equal(t, int64(7), out.ID)
	})
	t.Run("POST is not, unless the call allows it", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodPost, testAPI+"stock-imports/",
			httpmock.NewStringResponder(503, `{"detail": "down"}`).Then(httpmock.NewStringResponder(202, `{"id": 8}`)))
		resp, err := c.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/", map[string]int{"n": 1}, nil)
		require.ErrorIs(t, err, ErrServer)
		assert.Equal(t, 1, resp.Attempts)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.MethodPost, apiErr.Method)

		mock.Reset()
		mock.RegisterResponder(http.MethodPost, testAPI+"stock-imports/",
			httpmock.NewStringResponder(503, `{"detail": "down"}`).Then(httpmock.NewStringResponder(202, `{"id": 8}`)))
		var out stockImport
		resp, err = c.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/", map[string]int{"n": 1}, &out, WithCallRetryNonIdempotent())
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts)
		assert.Equal(t, int64(8), out.ID)
	})
}

func TestDoGivesTypedErrorsWithoutTheKey(t *testing.T) {
	c, mock := newKeyClient(t)
	// A proxy echoing the request's header into its error body.
	recordJSON(mock, http.MethodPost, testAPI+"stock-imports/", http.StatusBadRequest, `{"sku": ["Token `+testKey+` is not a sku."]}`)
	recordJSON(mock, http.MethodGet, testAPI+"stock-imports/9/", http.StatusNotFound, `{"detail": "Not found."}`)

	_, err := c.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/", map[string]string{"sku": "x"}, nil)
	var vErr *ValidationError
	require.ErrorAs(t, err, &vErr)
	assert.Contains(t, vErr.Fields, "sku")
	assert.NotContains(t, err.Error(), testKey)
	assert.NotContains(t, string(vErr.Body), testKey)

	resp, err := c.Do(t.Context(), http.MethodGet, "api/v1/stock-imports/9/", nil, &stockImport{})
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestDoBoundsTheAnswer(t *testing.T) {
	c, mock := newKeyClient(t)
	c.maxBody = 64
	recordJSON(mock, http.MethodGet, testAPI+"stock-imports/", http.StatusOK, `{"results": [`+strings.Repeat(`{"id": 1},`, 20)+`{"id": 1}]}`)
	var out json.RawMessage
	_, err := c.Do(t.Context(), http.MethodGet, "api/v1/stock-imports/", nil, &out)
	require.ErrorIs(t, err, ErrUnexpectedResponse)
	assert.Empty(t, out)
}

func TestDoRefusesWhatWouldLeaveTheBaseURL(t *testing.T) {
	c, _ := newKeyClient(t) // any request sent fails the test: no responder
	paths := []string{
		"https://evil.test/prefix/api/v1/stocks/",
		"http://whippy.test/prefix/api/v1/stocks/", // the base's own host, absolute: still refused
		"//evil.test/api/v1/stocks/",
		"/api/v1/stocks/",
		"../api/v1/stocks/",
		"api/v1/../../stocks/",
		"api/v1/%2e%2e/%2e%2e/stocks/",
		"api/v1/./stocks/",
		`api\v1\stocks\`,
		"api/v1/stocks/#top",
		"api/v1/a%2Fb/",
		"mailto:x@evil.test",
		"",
	}
	for _, path := range paths {
		resp, err := c.Do(t.Context(), http.MethodGet, path, nil, nil)
		assert.ErrorIs(t, err, ErrInvalidRequest, "path %q", path)
		assert.Nil(t, resp, "path %q", path)
	}
	for _, method := range []string{"", "get", "GE T", "GET\r\n"} {
		_, err := c.Do(t.Context(), method, "api/v1/stocks/", nil, nil)
		assert.ErrorIs(t, err, ErrInvalidRequest, "method %q", method)
	}
	var notPointer stockImport
	for _, bad := range []struct {
		name      string
		body, out any
	}{
		{"bytes body", []byte(`{}`), nil},
		{"reader body", bytes.NewReader(nil), nil},
		{"body JSON cannot encode", map[string]any{"c": make(chan int)}, nil},
		{"out not a pointer", nil, notPointer},
		{"out a nil pointer", nil, (*stockImport)(nil)},
	} {
		_, err := c.Do(t.Context(), http.MethodPost, "api/v1/stocks/", bad.body, bad.out)
		assert.ErrorIs(t, err, ErrInvalidRequest, bad.name)
	}
}

func TestDoKeepsAPathThatStaysUnderTheBase(t *testing.T) {
	c, mock := newKeyClient(t)
	last := recordJSON(mock, http.MethodDelete, testAPI+"stock-imports/7/rows/a%20b/", http.StatusNoContent, "")
	out := stockImport{ID: 7}
	resp, err := c.Do(t.Context(), http.MethodDelete, "api/v1/stock-imports/7/rows/a b/", nil, &out)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, stockImport{ID: 7}, out, "a 204 leaves out as it is")
	require.NotNil(t, last.Load())
	assert.Equal(t, "/prefix/api/v1/stock-imports/7/rows/a%20b/", last.Load().req.URL.EscapedPath())
	assert.False(t, errors.Is(err, ErrInvalidRequest))
}
