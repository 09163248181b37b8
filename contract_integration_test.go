//go:build integration

package whippyware_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
)

// The variables that point the integration build at a real service.
const (
	envURL      = "WHIPPYWARE_URL"
	envUsername = "WHIPPYWARE_USERNAME"
	envPassword = "WHIPPYWARE_PASSWORD"
)

// TestContractIntegration runs the contract suite on the service the environment names.
// It creates records with codes unique to the run and deletes them again. Withdrawing the
// key (for the re-login test) calls expire-token for the user, which also ends other
// sessions of that user.
func TestContractIntegration(t *testing.T) {
	url, user, password := os.Getenv(envURL), os.Getenv(envUsername), os.Getenv(envPassword)
	if url == "" || user == "" || password == "" {
		t.Skipf("set %s, %s and %s to run the contract suite on a real service", envURL, envUsername, envPassword)
	}
	newClient := func(t *testing.T) *whippyware.Client {
		c, err := whippyware.NewClient(url, whippyware.WithCredentials(user, password), whippyware.WithTimeout(time.Minute))
		require.NoError(t, err)
		return c
	}
	runContract(t, contractTarget{
		client: newClient(t),
		suffix: strconv.FormatInt(time.Now().UnixNano(), 36),
		// A second client of the same user expires the user's key: the suite's client is
		// not told, and meets a 401 on its next call.
		withdrawKey: func(t *testing.T) {
			_, err := newClient(t).Auth.Logout(t.Context())
			require.NoError(t, err)
		},
	})
}
