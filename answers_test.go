package whippyware

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notARecord are 2xx answers that decode without error into a zero record: what a
// maintenance page, a proxy or a broken deployment may answer.
var notARecord = map[string]string{
	"null":                 `null`,
	"empty object":         `{}`,
	"detail":               `{"detail": "maintenance"}`,
	"id zero":              `{"id": 0, "name": "Provider", "code": "provider_company"}`,
	"fields but no id":     `{"name": "Provider", "code": "provider_company", "is_active": true}`,
	"record in a list":     `[{"id": 1}]`,
	"a page, not a record": `{"count": 1, "next": null, "previous": null, "results": [{"id": 1}]}`,
}

// TestRecordAnswersWithoutAnIDAreUnexpected: Get, Create and Update of every
// resource refuse an answer that is not a record, instead of returning a zero one.
func TestRecordAnswersWithoutAnIDAreUnexpected(t *testing.T) {
	calls := map[string]struct {
		method, path string
		status       int
		call         func(context.Context, *Client) (any, *Response, error)
	}{
		"Providers.Get": {http.MethodGet, "providers/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Get(ctx, 1)
		}},
		"Providers.Create": {http.MethodPost, "providers/", 201, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Create(ctx, &ProviderCreateRequest{Name: "P", Code: "p"})
		}},
		"Providers.Update": {http.MethodPatch, "providers/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Providers.Update(ctx, 1, &ProviderUpdateRequest{Name: Ptr("P")})
		}},
		"Stocks.Get": {http.MethodGet, "stocks/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.Stocks.Get(ctx, 1)
		}},
		"StockLists.Create": {http.MethodPost, "stock-lists/", 201, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockLists.Create(ctx, &StockListCreateRequest{Code: "a", Name: "A"})
		}},
		"StockListRules.Get": {http.MethodGet, "stock-list-rules/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockListRules.Get(ctx, 1)
		}},
		"StockLocations.Update": {http.MethodPatch, "stock-locations/1/", 200, func(ctx context.Context, c *Client) (any, *Response, error) {
			return c.StockLocations.Update(ctx, 1, &StockLocationUpdateRequest{Name: Ptr("110")})
		}},
	}
	for callName, tc := range calls {
		for bodyName, body := range notARecord {
			t.Run(callName+"/"+bodyName, func(t *testing.T) {
				c, mock := newKeyClient(t)
				mock.RegisterResponder(tc.method, testAPI+tc.path, httpmock.NewStringResponder(tc.status, body))
				got, resp, err := tc.call(context.Background(), c)
				require.ErrorIs(t, err, ErrUnexpectedResponse)
				assert.Nil(t, got, "no zero record")
				require.NotNil(t, resp, "the server answered")
				assert.Equal(t, tc.status, resp.StatusCode)
				assert.Contains(t, err.Error(), tc.path, "the error names the call")
				if bodyName == "detail" {
					assert.Contains(t, err.Error(), "maintenance", "the error quotes the start of the body")
				}
			})
		}
		t.Run(callName+"/204 with no body", func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(tc.method, testAPI+tc.path, httpmock.NewStringResponder(http.StatusNoContent, ""))
			got, _, err := tc.call(context.Background(), c)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Nil(t, got)
		})
	}
	t.Run("a record with an id is taken", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodGet, testAPI+"providers/1/", httpmock.NewStringResponder(200, providerJSON))
		p, _, err := c.Providers.Get(context.Background(), 1)
		require.NoError(t, err)
		assert.Equal(t, int64(1), p.ID)
	})
}

// TestPageAnswersWithoutResultsAreUnexpected: List and All refuse an answer that is
// not a page (a reconciling job would read it as "no stock"), or a page holding
// something that is not a record; an empty page is a page.
func TestPageAnswersWithoutResultsAreUnexpected(t *testing.T) {
	notAPage := map[string]string{
		"null":                   `null`,
		"empty object":           `{}`,
		"detail":                 `{"detail": "maintenance"}`,
		"results null":           `{"count": 0, "next": null, "previous": null, "results": null}`,
		"count but no results":   `{"count": 3, "next": null, "previous": null}`,
		"a record, not a page":   providerJSON,
		"a result with no id":    `{"count": 2, "next": null, "previous": null, "results": [{"id": 1}, {"sku": "A"}]}`,
		"a result that is empty": `{"count": 1, "next": null, "previous": null, "results": [{}]}`,
	}
	for name, body := range notAPage {
		t.Run("List/"+name, func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/", httpmock.NewStringResponder(200, body))
			page, resp, err := c.Stocks.List(context.Background(), nil)
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Nil(t, page)
			require.NotNil(t, resp)
			assert.Equal(t, 200, resp.StatusCode)
		})
		t.Run("All/"+name, func(t *testing.T) {
			c, mock := newKeyClient(t)
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/", httpmock.NewStringResponder(200, body))
			var errs []error
			for s, err := range c.Stocks.All(context.Background(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				t.Errorf("All handed over %+v from an answer that is not a page", s)
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrUnexpectedResponse)
		})
	}
	t.Run("an empty page is a page", func(t *testing.T) {
		c, mock := newKeyClient(t)
		mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
			httpmock.NewStringResponder(200, `{"count": 0, "next": null, "previous": null, "results": []}`))
		page, _, err := c.Stocks.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Empty(t, page.Results)
		for s, err := range c.Stocks.All(context.Background(), nil) {
			t.Errorf("All yielded %v, %v from an empty list", s, err)
		}
	})
}

// TestLoginAnswerNames: the documented answer is {"key": ...}; Django REST
// framework's own obtain_auth_token view answers {"token": ...}. Either logs in, and
// the key goes out with the next call.
func TestLoginAnswerNames(t *testing.T) {
	cases := []struct {
		name, body, key string
	}{
		{"key", `{"key": "key-from-key"}`, "key-from-key"},
		{"token", `{"token": "key-from-token"}`, "key-from-token"},
		{"both, key first", `{"token": "key-from-token", "key": "key-from-key"}`, "key-from-key"},
		{"token, key empty", `{"key": "", "token": "key-from-token"}`, "key-from-token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newMockClient(t)
			mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(200, tc.body))
			rec := recordJSON(mock, http.MethodGet, testAPI+"providers/1/", 200, providerJSON)
			_, _, err := c.Providers.Get(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, "Token "+tc.key, rec.Load().req.Header.Get("Authorization"))
			assert.Equal(t, tc.key, c.Auth.Key())
		})
	}
	for name, body := range map[string]string{
		"neither":       `{"user": "test"}`,
		"both empty":    `{"key": "", "token": ""}`,
		"null":          `null`,
		"204 (no body)": ``,
	} {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t)
			status := 200
			if body == "" {
				status = http.StatusNoContent
			}
			mock.RegisterResponder(http.MethodPost, testAPI+"auth/login/", httpmock.NewStringResponder(status, body))
			_, err := c.Auth.Login(context.Background())
			require.ErrorIs(t, err, ErrUnexpectedResponse)
			assert.Equal(t, "", c.Auth.Key())
		})
	}
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
