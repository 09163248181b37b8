package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// locations list --provider takes the provider's code, as stocks list does; the command
// looks up the id the service filters on.
func TestLocationsListByProviderCode(t *testing.T) {
	c := newCLI(t)
	out := c.ok("", "locations", "list", "--provider", "erp_main", "-o", "csv")
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2, out)
	assert.Equal(t, []string{"300", "300"}, records[1][1:3], "erp_main's one location, not the fixtures'")

	lists := c.fake.RequestCount("GET", "/api/v1/stock-locations/")
	r := c.run("", "locations", "list", "--provider", "erp_b")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "whippyware: --provider: no provider has the code \"erp_b\" (whippyware providers list shows the codes)\n", r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, lists, c.fake.RequestCount("GET", "/api/v1/stock-locations/"), "no list asked for a provider that is not there")
}
