package main

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// A list whose second page fails prints nothing on standard output, in any format: no
// valid JSON of the first page, no table that looks complete.
func TestFailedListPrintsNothing(t *testing.T) {
	fake := wt.NewTestServer(t, wt.WithMaxPageSize(2))
	erp := fake.AddProvider(wt.Provider{Name: "A", Code: "erp_a", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "300", Code: "300", Provider: erp.ID, IsActive: true})
	for _, sku := range []string{"A-1", "A-2", "A-3", "A-4", "A-5"} {
		fake.AddStock(wt.Stock{SKU: sku, Provider: "erp_a", Location: "300", Stock: 1, IsActive: true})
	}
	c := cliFor(t, fake)
	require.Contains(t, c.ok("", "stocks", "list", "-o", "json"), `"A-5"`, "three pages without the fault")

	status := http.StatusNotFound // "Invalid page.", as when rows go while a list is read
	fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.URL.Query().Get("page") == "2" {
			return &wt.Fault{Status: status}
		}
		return nil
	})
	for _, format := range []string{"json", "csv", "table"} {
		r := c.run("", "stocks", "list", "-o", format)
		assert.Equal(t, exitCannotRun, r.code, format)
		assert.Empty(t, r.stdout, format)
		assert.Contains(t, r.stderr, "404 Not Found", format)
	}

	// A 500 is retried, then fails the same way (the retries wait about 3.5 s).
	status = http.StatusInternalServerError
	r := c.run("", "stocks", "list", "-o", "json")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "500 Internal Server Error")
}

func TestSpreadsheetSafe(t *testing.T) {
	for cell, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1+1":                     "'+1+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tA":                      "'\tA",
		"\rA":                      "'\rA",
		"'=x":                      "''=x", // so that taking one ' off gives it back
		"-5":                       "-5",   // numbers stay numbers
		"+5":                       "+5",
		"-1.5":                     "-1.5",
		"A-1":                      "A-1",
		"'quoted":                  "'quoted",
		"":                         "",
	} {
		assert.Equal(t, want, spreadsheetSafe(cell), "%q", cell)
		assert.Equal(t, cell, spreadsheetUnescaped(spreadsheetSafe(cell)), "%q round trip", cell)
	}
}

// CSV output escapes cells a spreadsheet would run, and -f reads them back as they were.
func TestCSVOutputIsSafeInASpreadsheetAndReadsBack(t *testing.T) {
	c := emptyCLI(t)
	c.ok("", "providers", "create", "--code", "-erp", "--name", `=HYPERLINK("http://evil.example","x")`)
	out := c.ok("", "providers", "list", "-o", "csv")
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "'-erp", `'=HYPERLINK("http://evil.example","x")`, "false", "true"}, records[1])

	// The table and JSON show the value itself.
	assert.Contains(t, c.ok("", "providers", "list"), " -erp ")

	// Exported, edited and read back: the ' is taken off again.
	edited := strings.Replace(out, "false,true", "true,true", 1)
	c.ok("", "providers", "update", "-f", c.file("p.csv", edited))
	p := c.fake.Providers()[0]
	assert.Equal(t, []any{"-erp", `=HYPERLINK("http://evil.example","x")`, true}, []any{p.Code, p.Name, p.ShouldAddReservations})

	c.ok("", "locations", "create", "--code", "300", "--name", "S", "--provider", "-erp")
	c.ok("", "stocks", "create", "--sku", "@SKU", "--provider", "-erp", "--location", "300", "--stock", "5", "--unit-type", "+qty")
	out = c.ok("", "stocks", "list", "-o", "csv")
	assert.Equal(t, "sku,provider,location,quantity,stock_type,reserved_stock,unit_type,period\n'@SKU,'-erp,300,5,standard,0,'+qty,\n", out)
}

// Any cell comes back from the ' that spreadsheetSafe adds, and a spreadsheet never sees a
// text cell that starts a formula.
func FuzzSpreadsheetSafe(f *testing.F) {
	for _, s := range []string{"=1+1", "-5", "'=x", "''@", "\t", "A-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		safe := spreadsheetSafe(cell)
		if got := spreadsheetUnescaped(safe); got != cell {
			t.Fatalf("%q: escaped %q, read back %q", cell, safe, got)
		}
		if safe != "" && strings.ContainsRune("=+-@\t\r", rune(safe[0])) && !number.MatchString(safe) {
			t.Fatalf("%q: written as %q, a formula", cell, safe)
		}
	})
}

// Every resource's list prints nothing when its second page fails, whatever the failure: a
// 401 after the login (the key revoked), a 404, or a connection dropped mid-list; in every
// format. Only the error is printed, on one line naming the page.
func TestEveryFailedListPrintsNothing(t *testing.T) {
	fake := wt.NewTestServer(t, wt.WithMaxPageSize(1), wt.WithFixtures())
	erp := fake.AddProvider(wt.Provider{Name: "A", Code: "erp_a", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "300", Code: "300", Provider: erp.ID, IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "301", Code: "301", Provider: erp.ID, IsActive: true})
	fake.AddStockListRule(wt.StockListRule{Name: "second", RuleType: "sql", IsActive: true})
	fake.AddStock(wt.Stock{SKU: "A-1", Provider: "erp_a", Location: "300", Stock: 1, IsActive: true})
	c := cliFor(t, fake)
	faults := map[string]wt.Fault{
		"401":       {Status: http.StatusUnauthorized, Body: `{"detail": "Invalid token."}`},
		"not found": {Status: http.StatusNotFound},
		"dropped":   {Drop: wt.DropBefore}, // retried for some 3 s, then fails the same way
	}
	for _, resource := range []string{"providers", "locations", "lists", "rules", "stocks"} {
		require.Contains(t, c.ok("", resource, "list", "-o", "json"), "},\n{", "%s: two pages without a fault", resource)
		for name, f := range faults {
			fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
				if r.URL.Query().Get("page") == "2" {
					return &f
				}
				return nil
			})
			formats := []string{"json", "csv", "table"}
			if name == "dropped" {
				if resource != "stocks" {
					continue // the retries' waits: one resource in one format shows it
				}
				formats = formats[:1]
			}
			for _, format := range formats {
				r := c.run("", resource, "list", "-o", format)
				assert.Equal(t, exitCannotRun, r.code, "%s %s %s", resource, name, format)
				assert.Empty(t, r.stdout, "%s %s %s", resource, name, format)
				assert.Regexp(t, `^whippyware: [^\n]*GET [^\n]*page=2[^\n]*\n$`, r.stderr, "%s %s %s", resource, name, format)
			}
		}
		fake.SetFaultFunc(nil)
	}
}
