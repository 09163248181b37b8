package whippyware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// Client.Do on the fake: a wrapped endpoint and one the fake learns from a handler
// in front of it, after the fake withdrew the key and while it fails.

func TestDoOnTheFakeLogsInAgainWhenTheKeyIsWithdrawn(t *testing.T) {
	fake := wt.NewServer(wt.WithoutListener())
	defer fake.Close()
	srv := httptest.NewServer(withStockImports(fake))
	defer srv.Close()
	client, err := whippyware.NewClient(srv.URL, whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword))
	require.NoError(t, err)
	body := map[string]any{"rows": []map[string]any{{"sku": "SKU-1"}}}

	var out stockImport
	_, err = client.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/", body, &out)
	require.NoError(t, err)
	first := client.Auth.Key()
	fake.ExpireTokens()
	resp, err := client.Do(t.Context(), http.MethodPost, "api/v1/stock-imports/", body, &out)
	require.NoError(t, err)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, 1, out.Rows)
	assert.Equal(t, 2, resp.Attempts, "the 401 and the resend")
	assert.NotEqual(t, first, client.Auth.Key())
	assert.Equal(t, 2, fake.RequestCount(http.MethodPost, "/api/v1/auth/login/"))
}

func TestDoOnTheFakeRetriesAGet(t *testing.T) {
	fake := wt.NewServer(wt.WithoutListener())
	defer fake.Close()
	p := fake.AddProvider(wt.Provider{Name: "Main", Code: "main", IsActive: true})
	client := fake.Client()
	fake.FailNext(2, wt.Fault{Method: http.MethodGet, Path: "/api/v1/providers/*", Status: http.StatusServiceUnavailable})

	var out whippyware.Provider
	resp, err := client.Do(t.Context(), http.MethodGet, "api/v1/providers/1/", nil, &out)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, p.Code, out.Code)

	_, err = client.Do(t.Context(), http.MethodGet, "api/v1/providers/99/", nil, &out)
	assert.ErrorIs(t, err, whippyware.ErrNotFound)
}
