package whippyware

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

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

// TestHugeErrorBodyIsReadWithinBoundsMock checks on httpmock what TestBadResponses'
// "10 MiB error body" cannot from outside the package: the error does not pin the
// read buffer.
func TestHugeErrorBodyIsReadWithinBoundsMock(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey), WithoutRetries())
	huge := strings.Repeat("x", 10<<20)
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(500, huge))
	_, _, err := c.Providers.Get(context.Background(), 1)
	require.ErrorIs(t, err, ErrServer)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, cap(apiErr.Body), maxKeptBodyBytes, "the error does not pin the read buffer")
	assert.Less(t, len(err.Error()), 1000, "the error text carries a snippet, not the body")
}
