package whippywaretest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func TestClientReachesTheServerAsTheFirstUser(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv := wt.NewTestServer(t, append(mode.opts, wt.WithUser("first", "pw1"), wt.WithUser("second", "pw2"))...)
			srv.AddProvider(wt.Provider{Name: "P", Code: "p", IsActive: true})

			page, _, err := srv.Client().Providers.List(t.Context(), nil)
			require.NoError(t, err)
			require.Len(t, page.Results, 1)
			assert.Equal(t, "p", page.Results[0].Code)
			assert.Equal(t, "first", loginUser(t, srv.Requests()[0]))

			// The caller's options come last and win.
			_, _, err = srv.Client(whippyware.WithCredentials("second", "pw2")).Providers.List(t.Context(), nil)
			require.NoError(t, err)
			assert.Equal(t, "second", loginUser(t, srv.Requests()[2]))
		})
	}
}

func loginUser(t *testing.T, rec wt.RequestRecord) string {
	t.Helper()
	require.Equal(t, http.MethodPost, rec.Method)
	require.Equal(t, "/api/v1/auth/login/", rec.Path)
	var body struct{ Username string }
	require.NoError(t, json.Unmarshal(rec.Body, &body))
	return body.Username
}
