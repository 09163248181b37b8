//go:build !integration

package whippyware_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whippyware-go/whippyware/whippywaretest"
)

// TestContractFake runs the contract suite on the fake, over loopback TCP and in process,
// then checks the suite left the fake as empty as it found it.
func TestContractFake(t *testing.T) {
	modes := []struct {
		name string
		opts []whippywaretest.Option
	}{
		{"loopback", nil},
		{"in-process", []whippywaretest.Option{whippywaretest.WithoutListener()}},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv := whippywaretest.NewTestServer(t, mode.opts...)
			runContract(t, contractTarget{
				client:      srv.Client(),
				suffix:      "fake",
				withdrawKey: func(*testing.T) { srv.ExpireTokens() },
				logins:      func() int { return srv.RequestCount(http.MethodPost, "/api/v1/auth/login/") },
			})
			// Every record was created in a subtest, whose cleanup has run by now.
			assert.Empty(t, srv.Stocks(), "stocks left behind")
			assert.Empty(t, srv.StockLocations(), "stock locations left behind")
			assert.Empty(t, srv.StockLists(), "stock lists left behind")
			assert.Empty(t, srv.StockListRules(), "stock list rules left behind")
			assert.Empty(t, srv.Providers(), "providers left behind")
		})
	}
}
