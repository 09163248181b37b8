package main

import (
	"encoding/csv"
	"encoding/json"
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

// locations list -o csv names each location's provider by its code, as locations update -f
// reads it: an exported, edited file changes only what was edited, even where another
// provider's code is the first one's id.
func TestLocationsExportEditUpdateRoundTrip(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "providers", "create", "--code", "erp_a", "--name", "A")    // id 1
	c.ok("", "providers", "create", "--code", "1", "--name", "Numbered") // id 2, code "1"
	c.ok("", "locations", "create", "--code", "300", "--name", "Store 300", "--provider", "erp_a")
	c.ok("", "locations", "create", "--code", "301", "--name", "Store 301", "--provider", "1")

	export := c.ok("", "locations", "list", "-o", "csv")
	assert.Equal(t, "id,code,name,provider,is_active\n1,300,Store 300,erp_a,true\n2,301,Store 301,1,true\n", export)
	assert.Contains(t, c.ok("", "locations", "get", "1"), "erp_a")

	before := c.writes()
	edited := strings.Replace(export, "Store 300", "Store 300 (closed)", 1)
	c.ok("", "locations", "update", "-f", c.file("locations.csv", edited))
	assert.Equal(t, 2, c.writes()-before)
	locations := c.fake.StockLocations()
	require.Len(t, locations, 2)
	for _, l := range locations {
		assert.Equal(t, map[string]int64{"300": 1, "301": 2}[l.Code], l.Provider, "%s keeps its provider", l.Code)
	}
	assert.Contains(t, c.ok("", "locations", "list"), "Store 300 (closed)")

	// JSON is the service's shape: the provider's id, which -f reads as an id.
	var listed []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("", "locations", "list", "-o", "json")), &listed))
	assert.EqualValues(t, 1, listed[0]["provider"])
}

// lists list prints no remote id for a list that has none (the service's null), so that an
// exported file sent back to lists update does not set it to 0.
func TestListsExportWithoutRemoteIDUpdatesNothingElse(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "lists", "create", "--code", "l1", "--name", "L1")
	export := c.ok("", "lists", "list", "-o", "csv")
	assert.Equal(t, "id,code,name,remote_id,stock_list_rule,is_active\n1,l1,L1,,,true\n", export)
	c.ok("", "lists", "update", "-f", c.file("lists.csv", strings.Replace(export, ",L1,", ",L one,", 1)))
	lists := c.fake.StockLists()
	require.Len(t, lists, 1)
	assert.Equal(t, "L one", lists[0].Name)
	assert.Nil(t, lists[0].RemoteID, "still no remote id")
}

// A mistyped subcommand fails, as a mistyped command does, and names the one it may have
// meant: help and exit 0 would let a script go on as if it had deleted something.
func TestUnknownSubcommandFails(t *testing.T) {
	c := newCLI(t)
	for _, resource := range []string{"providers", "locations", "lists", "rules", "stocks"} {
		r := c.run("", resource, "delet", "3")
		assert.Equal(t, exitCannotRun, r.code, resource)
		assert.Empty(t, r.stdout, resource)
		assert.Equal(t, "whippyware: unknown command \"delet\" for \"whippyware "+resource+"\"; did you mean delete?\n", r.stderr)
	}
	// Alone, a resource's command shows its subcommands.
	assert.Contains(t, c.ok("", "providers"), "Available Commands:")
	assert.Zero(t, c.fake.RequestCount("", ""))
}
