package whippyware_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// sink records what reaches it, and answers like a service: a login with a key of its
// own, anything else with a provider.
type sink struct {
	mu   sync.Mutex
	seen []string
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.seen = append(s.seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization")+" body="+string(body))
	s.mu.Unlock()
	if r.URL.Path == relLoginPath {
		json.NewEncoder(w).Encode(map[string]string{"key": "foreign-key"})
		return
	}
	w.Write([]byte(relProviderJSON))
}

func (s *sink) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// TestRedirectsThroughACallersClientNeverLeaveTheService: with a plain
// &http.Client{}, which follows redirects, a 307 at login and a 302 at a call name
// a second server (same host, another port): neither the password nor the key
// reaches it, its login answer is not taken as the key, and the caller's client is
// left as it was. A redirect within the service is followed as the client says.
func TestRedirectsThroughACallersClientNeverLeaveTheService(t *testing.T) {
	elsewhere := &sink{}
	other := httptest.NewServer(elsewhere)
	defer other.Close()
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case relLoginPath:
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		case relProvidersPath + "1/":
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		case relProvidersPath + "2/":
			http.Redirect(w, r, relProvidersPath+"3/", http.StatusTemporaryRedirect)
		case relProvidersPath + "3/":
			w.Write([]byte(relProviderJSON))
		}
	}))
	defer service.Close()

	hc := &http.Client{}
	withCredentials, err := whippyware.NewClient(service.URL, whippyware.WithHTTPClient(hc),
		whippyware.WithCredentials(wt.DefaultUsername, wt.DefaultPassword), whippyware.WithRetryWait(0, 0))
	require.NoError(t, err)
	_, resp, err := withCredentials.Providers.Get(t.Context(), 3)
	var apiErr *whippyware.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode, "the login's redirect comes back")
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Equal(t, "", withCredentials.Auth.Key(), "no key from elsewhere")

	withKey, err := whippyware.NewClient(service.URL, whippyware.WithHTTPClient(hc), whippyware.WithKey("service-key"))
	require.NoError(t, err)
	_, _, err = withKey.Providers.Get(t.Context(), 1)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)

	assert.Empty(t, elsewhere.requests(), "nothing reached the other server")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Nil(t, hc.Transport, "the caller's client is not modified")

	got, _, err := withKey.Providers.Get(t.Context(), 2)
	require.NoError(t, err, "a redirect within the service is followed")
	assert.Equal(t, int64(1), got.ID)
}
