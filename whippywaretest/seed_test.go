package whippywaretest_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// AddAll stores every record or none: a failing Add (a panic) or an error takes back what
// the call stored, and leaves what was there before.
func TestAddAllIsAllOrNothing(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithoutListener())
	srv.AddProvider(wt.Provider{Name: "Kept", Code: "kept"})

	err := srv.AddAll(func() error {
		srv.AddProvider(wt.Provider{Name: "New", Code: "new"})
		srv.AddStockLocation(wt.StockLocation{Name: "L", Code: "l", Provider: 2})
		srv.AddStock(wt.Stock{SKU: "S", Provider: "new", Location: "nowhere", Stock: 1})
		return nil
	})
	require.ErrorContains(t, err, "Object with code=nowhere does not exist.")
	assert.Equal(t, []string{"kept"}, codes(srv.Providers()))
	assert.Empty(t, srv.StockLocations())

	stop := errors.New("stop")
	assert.Equal(t, stop, srv.AddAll(func() error { srv.AddProvider(wt.Provider{Name: "N", Code: "n"}); return stop }))
	assert.Equal(t, []string{"kept"}, codes(srv.Providers()))

	require.NoError(t, srv.AddAll(func() error { srv.AddProvider(wt.Provider{Name: "N", Code: "n"}); return nil }))
	p := srv.Providers()
	assert.Equal(t, []string{"kept", "n"}, codes(p))
	assert.EqualValues(t, 2, p[1].ID, "as if the failed calls had never run")
}
