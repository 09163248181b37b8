package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// emptyCLI runs the command against a fake that holds nothing, as a new service does.
func emptyCLI(t *testing.T) *cli { return cliFor(t, wt.NewTestServer(t)) }

func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	require.Equal(c.t, exitOK, r.code, "%v: %s", args, r.stderr)
	return r.stdout
}

func (c *cli) writes() int {
	return c.fake.RequestCount("POST", "/api/v1/*") - c.fake.RequestCount("POST", "/api/v1/auth/login/") +
		c.fake.RequestCount("PATCH", "") + c.fake.RequestCount("DELETE", "")
}

// From an empty service to a synced store, then export, edit one row, and sync it back:
// only that row is written.
func TestCreateSyncExportEditSyncRoundTrip(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "providers", "create", "--code", "erp_a", "--name", "ERP A")
	c.ok("", "locations", "create", "--code", "300", "--name", "Store 300", "--provider", "erp_a")
	c.ok("", "locations", "create", "--code", "301", "--name", "Store 301", "--provider", "erp_a")
	out := c.ok("", "sync", c.file("stock.csv", "sku,provider,location,quantity\nA-1,erp_a,300,5\nA-2,erp_a,300,7\nA-1,erp_a,301,2\n"))
	assert.Contains(t, out, "created 3, updated 0, unchanged 0")

	export := c.ok("", "stocks", "list", "--provider", "erp_a", "-o", "csv")
	records, err := csv.NewReader(strings.NewReader(export)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 4)
	for i, rec := range records[1:] {
		if rec[0] == "A-2" {
			records[i+1][3] = "9" // the quantity column
		}
	}
	var edited strings.Builder
	require.NoError(t, csv.NewWriter(&edited).WriteAll(records))

	before := c.writes()
	out = c.ok("", "sync", c.file("edited.csv", edited.String()))
	assert.Contains(t, out, "created 0, updated 1, unchanged 2, zeroed 0, failed 0")
	assert.Equal(t, 1, c.writes()-before, "exactly the edited row is written")
	assert.Equal(t, map[string]int64{"A-1@300[standard]": 5, "A-2@300[standard]": 9, "A-1@301[standard]": 2}, c.quantities())
}

func TestCreateUpdateDeleteEveryResourceFromFlags(t *testing.T) {
	c := emptyCLI(t)
	out := c.ok("", "providers", "create", "--code", "erp_a", "--name", "ERP A", "--should-add-reservations", "-o", "json")
	var p struct {
		ID                    int64
		Code                  string
		ShouldAddReservations bool `json:"should_add_reservations"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &p), "one JSON object: %s", out)
	assert.Equal(t, "erp_a", p.Code)
	assert.True(t, p.ShouldAddReservations)

	c.ok("", "locations", "create", "--code", "300", "--name", "Store", "--provider", "erp_a")
	c.ok("", "rules", "create", "--name", "Eshop", "--rule-type", "sql", "--rule", `{"providers": ["erp_a"]}`)
	rule := c.fake.StockListRules()[0]
	c.ok("", "lists", "create", "--code", "eshop", "--name", "Eshop", "--remote-id", "7", "--rule-id", itoa(rule.ID))
	c.ok("", "stocks", "create", "--sku", "A-1", "--provider", "erp_a", "--location", "300", "--stock", "4", "--period", "2026-12-01")

	loc := c.fake.StockLocations()[0]
	assert.Equal(t, p.ID, loc.Provider, "the provider's code was sent as its id")
	assert.JSONEq(t, `{"providers": ["erp_a"]}`, string(rule.Rule))
	list := c.fake.StockLists()[0]
	require.NotNil(t, list.RemoteID)
	require.NotNil(t, list.StockListRule)
	assert.Equal(t, []int64{7, rule.ID}, []int64{*list.RemoteID, *list.StockListRule})
	stock := c.fake.Stocks()[0]
	require.NotNil(t, stock.Period)
	assert.Equal(t, []any{"A-1", "erp_a", "300", int64(4), "2026-12-01"}, []any{stock.SKU, stock.Provider, stock.Location, stock.Stock, *stock.Period})

	out = c.ok("", "providers", "update", itoa(p.ID), "--name", "ERP A2", "--active=false")
	assert.Contains(t, out, "ERP A2")
	assert.Equal(t, "ERP A2", c.fake.Providers()[0].Name)
	assert.False(t, c.fake.Providers()[0].IsActive)
	c.ok("", "stocks", "update", itoa(stock.ID), "--stock", "6")
	assert.Equal(t, int64(6), c.fake.Stocks()[0].Stock)
	c.ok("", "lists", "update", itoa(list.ID), "--name", "Shop")
	assert.Equal(t, "Shop", c.fake.StockLists()[0].Name)
	require.NotNil(t, c.fake.StockLists()[0].RemoteID, "a field not given is left as it was")

	out = c.ok("", "stocks", "delete", "--yes", itoa(stock.ID))
	assert.Equal(t, "deleted stock "+itoa(stock.ID)+"\n", out)
	c.ok("", "lists", "delete", "--yes", itoa(list.ID))
	c.ok("", "rules", "delete", "--yes", itoa(rule.ID))
	c.ok("", "locations", "delete", "--yes", itoa(loc.ID))
	c.ok("", "providers", "delete", "--yes", itoa(p.ID))
	assert.Empty(t, c.fake.Stocks())
	assert.Empty(t, c.fake.StockLists())
	assert.Empty(t, c.fake.StockListRules())
	assert.Empty(t, c.fake.StockLocations())
	assert.Empty(t, c.fake.Providers())
}

func TestCreateFromFiles(t *testing.T) {
	c := emptyCLI(t)
	// JSON: an array of objects; read-only fields of an export are ignored.
	out := c.ok("", "providers", "create", "-o", "csv", "-f", c.file("p.json",
		`[{"id": 9, "code": "erp_a", "name": "ERP A", "created_date": "2026-01-01T00:00:00Z"}, {"code": "erp_b", "name": "ERP B", "is_active": false}]`))
	assert.Equal(t, "id,code,name,should_add_reservations,is_active\n1,erp_a,ERP A,false,true\n2,erp_b,ERP B,false,false\n", out)

	// CSV as a spreadsheet saves it: ";" between fields; a provider by its code.
	c.ok("", "locations", "create", "-f", c.file("l.csv", "code;name;provider\n300;Store 300;erp_a\n301;Store 301;erp_b\n302;Store 302;erp_a\n"))
	locs := c.fake.StockLocations()
	require.Len(t, locs, 3)
	assert.Equal(t, []int64{1, 2, 1}, []int64{locs[0].Provider, locs[1].Provider, locs[2].Provider})
	// Each code looked up once, and the codes read once for the table's provider column.
	assert.Equal(t, 3, c.fake.RequestCount("GET", "/api/v1/providers/"))

	// A stock file in sync's columns, from standard input.
	c.ok("sku,provider,location,quantity\nA-1,erp_a,300,4\n", "stocks", "create", "-f", "-")
	assert.Equal(t, int64(4), c.fake.Stocks()[0].Stock)

	// Update from a file: the id says which record; a line of empty cells changes nothing.
	c.ok("", "providers", "update", "-f", c.file("u.csv", "id,name\n1,ERP One\n2,\n"))
	assert.Equal(t, []string{"ERP One", "ERP B"}, []string{c.fake.Providers()[0].Name, c.fake.Providers()[1].Name})
	assert.Equal(t, 1, c.fake.RequestCount("PATCH", ""))
}

func TestCreateChecksEveryRecordBeforeTheFirstWrite(t *testing.T) {
	c := emptyCLI(t)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"missing field":     {[]string{"providers", "create", "--code", "x"}, "the flags: missing name (--name)"},
		"missing in a file": {[]string{"providers", "create", "-f", c.file("p.csv", "code,name\na,A\nb,\n")}, "p.csv line 3: missing name (--name)"},
		"unknown column":    {[]string{"providers", "create", "-f", c.file("p.csv", "code,name,colour\na,A,red\n")}, `unknown field "colour" (known: code, name, should_add_reservations, is_active; id, created_date, modified_date are read only)`},
		"bad number":        {[]string{"stocks", "create", "--sku", "A", "--provider", "p", "--location", "l", "--stock", "ten"}, `--stock "ten" is not a whole number`},
		"bad JSON rule":     {[]string{"rules", "create", "--name", "r", "--rule-type", "sql", "--rule", "{providers"}, `--rule "{providers" is not a JSON object`},
		"flags and a file":  {[]string{"providers", "create", "--code", "x", "-f", c.file("p.json", `{}`)}, "not both"},
		"unknown provider":  {[]string{"locations", "create", "--code", "1", "--name", "1", "--provider", "nobody"}, `the flags: no provider has the code "nobody"`},
		"update without id": {[]string{"providers", "update", "-f", c.file("p.csv", "code,name\na,A\n")}, "p.csv line 2: no id"},
		"update nothing":    {[]string{"providers", "update", "1"}, "nothing to change"},
		"bad output":        {[]string{"providers", "create", "--code", "x", "--name", "x", "-o", "xml"}, `--output "xml"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.run("", tc.args...)
			assert.Equal(t, exitCannotRun, r.code)
			assert.Contains(t, r.stderr, tc.want)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Zero(t, c.writes())
}

// A refusal part way through a file says what was written before it, and prints nothing
// on standard output.
func TestCreateFailingPartWaySaysWhatWasWritten(t *testing.T) {
	c := emptyCLI(t)
	r := c.run("", "providers", "create", "-o", "json", "-f", c.file("p.csv", "code,name\na,A\nb,B\na,Again\nc,C\n"))
	assert.Equal(t, exitCannotRun, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "p.csv line 4: ")
	assert.Contains(t, r.stderr, "provider with this code already exists.")
	assert.Contains(t, r.stderr, "created 2 of 4 before it (ids 1, 2); the other 1 were not sent")
	assert.Len(t, c.fake.Providers(), 2)
}

func TestDryRunSendsNoWrite(t *testing.T) {
	c := newCLI(t)
	out := c.ok("", "locations", "create", "--dry-run", "--code", "301", "--name", "Store 301", "--provider", "erp_main")
	assert.Equal(t, `would POST api/v1/stock-locations/ {"name":"Store 301","code":"301","provider":3}`+"\n", out)
	assert.Equal(t, 1, c.fake.RequestCount("GET", "/api/v1/providers/"), "the code looked up; nothing read for a table it does not print")
	out = c.ok("", "stocks", "update", "--dry-run", "3", "--stock", "0")
	assert.Equal(t, `would PATCH api/v1/stocks/3/ {"stock":0}`+"\n", out)
	out = c.ok("", "providers", "delete", "--dry-run", "3", "1")
	assert.Equal(t, "would DELETE api/v1/providers/3/\nwould DELETE api/v1/providers/1/\n", out)
	assert.Zero(t, c.writes())
}

func TestDeleteAsksOnATerminalAndNeedsYesElsewhere(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "providers", "create", "--code", "a", "--name", "A")
	c.ok("", "providers", "create", "--code", "b", "--name", "B")

	// No terminal and no --yes: refused before anything is sent.
	r := c.run("yes\n", "providers", "delete", "1")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "standard input is not a terminal: give --yes")
	assert.Empty(t, r.stdout)

	c.terminal = true
	r = c.run("n\n", "providers", "delete", "1", "2")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "Delete 2 providers (ids 1, 2)? Type yes to delete: whippyware: not confirmed: nothing was deleted\n", r.stderr)
	r = c.run("", "providers", "delete", "1") // end of input: no answer is no
	assert.Equal(t, exitCannotRun, r.code)
	assert.Zero(t, c.fake.RequestCount("DELETE", ""))
	assert.Len(t, c.fake.Providers(), 2)

	r = c.run("yes\n", "providers", "delete", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Delete provider 1? Type yes to delete: ", r.stderr)
	assert.Equal(t, "deleted provider 1\n", r.stdout)

	c.terminal = false
	c.ok("", "providers", "delete", "--yes", "2")
	assert.Empty(t, c.fake.Providers())
}

func TestUpdateAndDeleteFromJSONFiles(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "providers", "create", "--code", "erp_a", "--name", "A")
	// In JSON a location's provider may be the id, a number, as the service and list show it.
	c.ok("", "locations", "create", "-f", c.file("l.json", `{"code": 300, "name": "S", "provider": 1}`))
	assert.Equal(t, []any{"300", int64(1)}, []any{c.fake.StockLocations()[0].Code, c.fake.StockLocations()[0].Provider})
	r := c.run("", "providers", "create", "-f", c.file("p.json", `{"code": "b", "name": ["B"]}`))
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, `p.json record 1: name: ["B"] is not a string`)

	c.ok("", "lists", "create", "--code", "a", "--name", "A", "--remote-id", "5")
	c.ok("", "lists", "create", "--code", "b", "--name", "B", "--remote-id", "6")
	// null clears a field that may be empty; a field left out stays.
	c.ok("", "lists", "update", "-f", c.file("u.json", `[{"id": 1, "remote_id": null}, {"id": 2, "name": "B2"}]`))
	lists := c.fake.StockLists()
	assert.Nil(t, lists[0].RemoteID)
	require.NotNil(t, lists[1].RemoteID)
	assert.Equal(t, []any{"B2", int64(6)}, []any{lists[1].Name, *lists[1].RemoteID})

	// What list -o json prints is what delete -f reads; only the ids count.
	c.ok("", "lists", "delete", "--yes", "-f", c.file("d.json", c.ok("", "lists", "list", "-o", "json")))
	assert.Empty(t, c.fake.StockLists())
	out := c.ok("", "locations", "delete", "--yes", "-f", c.file("d.csv", "id,note\n1,closed\n"))
	assert.Equal(t, "deleted stock location 1\n", out)
}
