package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// cli runs the command in process against a fake on loopback, with the settings in env.
type cli struct {
	t    *testing.T
	fake *wt.Server
	env  map[string]string
	// terminal is what the command is told of standard input: a terminal, where a delete asks.
	terminal bool
	// clientOptions are given to the client after the command's own.
	clientOptions []whippyware.Option
}

func newCLI(t *testing.T) *cli {
	fake := wt.NewTestServer(t, wt.WithFixtures())
	erp := fake.AddProvider(wt.Provider{Name: "ERP main", Code: "erp_main", IsActive: true})
	fake.AddStockLocation(wt.StockLocation{Name: "300", Code: "300", Provider: erp.ID, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "SKU-1", Provider: "erp_main", Location: "300", Stock: 1, IsActive: true})
	fake.AddStock(wt.Stock{SKU: "SKU-1", Provider: "erp_main", Location: "300", StockType: "virtual", Stock: 50, IsActive: true})
	return cliFor(t, fake)
}

// cliFor runs the command against fake, with the settings it needs.
func cliFor(t *testing.T, fake *wt.Server) *cli {
	return &cli{t: t, fake: fake, env: map[string]string{
		envURL: fake.URL, envUsername: wt.DefaultUsername, envPassword: wt.DefaultPassword,
		"XDG_RUNTIME_DIR": t.TempDir(), // where sync keeps its lock files
	}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{getenv: func(k string) string { return c.env[k] }, stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr}
	a.stdinTerminal = func() bool { return c.terminal }
	a.clientOptions = c.clientOptions
	code := a.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

func (c *cli) file(name, content string) string {
	path := filepath.Join(c.t.TempDir(), name)
	require.NoError(c.t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func (c *cli) quantities() map[string]int64 {
	out := map[string]int64{}
	for _, s := range c.fake.Stocks() {
		out[s.SKU+"@"+s.Location+"["+s.StockType+"]"] = s.Stock
	}
	return out
}

func TestMissingSettingsAreNamed(t *testing.T) {
	c := newCLI(t)
	c.env = map[string]string{envUsername: "test"}
	r := c.run("", "providers", "list")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "whippyware: missing settings: set WHIPPYWARE_URL or --url; WHIPPYWARE_PASSWORD (or WHIPPYWARE_PASSWORD_FILE) or --password-stdin\n", r.stderr)
	assert.Empty(t, r.stdout)
	assert.Zero(t, c.fake.RequestCount("", ""))

	c.env = map[string]string{envURL: c.fake.URL, envUsername: " ", envPassword: "x"}
	r = c.run("", "providers", "list")
	assert.Equal(t, "whippyware: missing settings: set WHIPPYWARE_USERNAME or --username\n", r.stderr)
}

func TestFlagsOverrideTheEnvironment(t *testing.T) {
	c := newCLI(t)
	url := c.env[envURL]
	c.env[envURL] = "http://127.0.0.1:1" // nothing listens there
	c.env[envPassword] = "wrong"
	r := c.run("", "--url", url, "--password", wt.DefaultPassword, "providers", "list", "--code", "erp_main")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "erp_main")
}

func TestSyncWritesAndExitsZero(t *testing.T) {
	c := newCLI(t)
	report := filepath.Join(t.TempDir(), "report.json")
	path := c.file("stock.csv", "sku,provider,location,quantity\r\nSKU-1,erp_main,300,7\r\nSKU-2,erp_main,300,3\r\n")
	r := c.run("", "sync", "--workers", "2", "--rate", "100", "--report", report, path)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "created 1, updated 1, unchanged 0, zeroed 0, failed 0, superseded 0; ")
	// Not a terminal: plain lines, the last at 2/2.
	assert.Contains(t, r.stderr, "sync: 2 written, 0 failed, 0 left of 2; ")
	assert.NotContains(t, r.stderr, "\r", "no bar drawn into a log")
	assert.Equal(t, map[string]int64{"SKU-1@300[standard]": 7, "SKU-1@300[virtual]": 50, "SKU-2@300[standard]": 3, "555AB13004562130@110[standard]": 5}, c.quantities())

	var rep struct {
		Created, Updated, Failed, Requests int
		Outcomes                           []struct {
			Line        int
			SKU, Result string
		}
	}
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 1, rep.Created)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, 3, rep.Requests) // one page, one PATCH, one POST
	assert.ElementsMatch(t, []struct {
		Line        int
		SKU, Result string
	}{{2, "SKU-1", "updated"}, {3, "SKU-2", "created"}}, rep.Outcomes)
}

func TestSyncDryRunPrintsThePlanAndWritesNothing(t *testing.T) {
	c := newCLI(t)
	report := filepath.Join(t.TempDir(), "plan.json")
	r := c.run("SKU-1,erp_main,300,7\nSKU-2,erp_main,300,3\n", "sync", "--dry-run", "--report", report, "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "update line 1 SKU-1@erp_main/300[standard] id 3: stock 1 -> 7\n"+
		"create line 2 SKU-2@erp_main/300[standard]: stock 3\n"+
		"plan: 1 to create, 1 to update, 0 to zero, 0 unchanged, 0 invalid, 0 superseded; read 2 stocks in 1 request\n", r.stdout)
	assert.Zero(t, c.fake.RequestCount("POST", "/api/v1/stocks/")+c.fake.RequestCount("PATCH", "/api/v1/stocks/*"))
	var plan struct{ Changes []map[string]any }
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &plan))
	assert.Len(t, plan.Changes, 2)
}

// Without a file argument the command reads standard input, as with "-".
func TestSyncWithoutArgumentReadsStandardInput(t *testing.T) {
	c := newCLI(t)
	r := c.run("SKU-2,erp_main,300,3\n", "sync", "--dry-run")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "create line 1 SKU-2@erp_main/300[standard]: stock 3\n")
}

// listedStock is what the JSON output of "stocks list" says of a row's identity.
type listedStock struct {
	SKU       string `json:"sku"`
	StockType string `json:"stock_type"`
}

func TestSyncExitsOneWhenRowsFail(t *testing.T) {
	c := newCLI(t)
	r := c.run("SKU-1,erp_main,300,7\nSKU-3,erp_main,300,ten\nSKU-4,erp_main,999,1\n", "sync", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "failed line 2 SKU-3@erp_main/300[standard] quantity \"ten\" is not a whole number\n")
	assert.Contains(t, r.stdout, "failed line 3 SKU-4@erp_main/999[standard] location: Object with code=999 does not exist.\n")
	assert.Contains(t, r.stdout, "updated 1, ")
	assert.Equal(t, int64(7), c.quantities()["SKU-1@300[standard]"])

	r = c.run("SKU-3,erp_main,300,ten\n", "sync", "--dry-run", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "invalid line 1 SKU-3@erp_main/300[standard] quantity \"ten\" is not a whole number\n")
}

func TestSyncExitsTwoWhenItCannotRun(t *testing.T) {
	c := newCLI(t)
	for name, tc := range map[string]struct {
		stdin string
		args  []string
		want  string
	}{
		"unknown header": {"sku,provider,location,qty\nA,erp_main,300,1\n", []string{"sync", "-"}, `unknown column "qty"`},
		"no such file":   {"", []string{"sync", filepath.Join(t.TempDir(), "missing.csv")}, "no such file"},
		"two files":      {"", []string{"sync", "a.csv", "b.csv"}, "accepts at most 1 arg(s), received 2"},
		"bad workers":    {"", []string{"sync", "--workers", "0", "-"}, "--workers must be at least 1"},
		"unknown flag":   {"", []string{"sync", "--fast", "-"}, "unknown flag: --fast"},
		"bad output":     {"", []string{"providers", "list", "-o", "xml"}, `--output "xml"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := c.run(tc.stdin, tc.args...)
			assert.Equal(t, exitCannotRun, r.code)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
	assert.Zero(t, c.fake.RequestCount("POST", "/api/v1/stocks/"))

	c.env[envPassword] = "wrong"
	r := c.run("A,erp_main,300,1\n", "sync", "-")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "Unable to log in with provided credentials.")
}

func TestStocksListFormatsAndFilters(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "stocks", "list", "--provider", "erp_main", "--stock-type", "virtual")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, []string{"ID", "SKU", "PROVIDER", "LOCATION", "STOCK_TYPE", "STOCK", "RESERVED_STOCK", "UNIT_TYPE", "PERIOD"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"4", "SKU-1", "erp_main", "300", "virtual", "50", "0", "qty"}, strings.Fields(lines[1]))

	r = c.run("", "stocks", "list", "--sku", "SKU-1", "--output", "csv")
	require.Equal(t, exitOK, r.code, r.stderr)
	records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3)
	// The columns sync reads, in its order, without id.
	assert.Equal(t, []string{"sku", "provider", "location", "quantity", "stock_type", "reserved_stock", "unit_type", "period"}, records[0])
	assert.Equal(t, []string{"SKU-1", "erp_main", "300", "1", "standard", "0", "qty", ""}, records[1])

	r = c.run("", "stocks", "list", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var stocks []listedStock
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &stocks))
	assert.ElementsMatch(t, []listedStock{{"SKU-1", "standard"}, {"SKU-1", "virtual"}, {"555AB13004562130", "standard"}}, stocks)

	r = c.run("", "stocks", "list", "--sku", "NONE", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "[]\n", r.stdout)
}

func TestResourcesListAndGet(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"providers", "list"}, "provider_company"},
		{[]string{"locations", "list", "--provider", "provider_company"}, "112"},
		{[]string{"rules", "list"}, "Eshop Stock List Rule"},
		{[]string{"lists", "list"}, "alpha_stock_list"},
		{[]string{"providers", "get", "3"}, "erp_main"},
		{[]string{"locations", "get", "1"}, "110"},
		{[]string{"rules", "get", "1"}, "sql"},
		{[]string{"lists", "get", "1"}, "alpha_stock_list"},
		{[]string{"stocks", "get", "4"}, "virtual"},
	} {
		r := c.run("", tc.args...)
		require.Equal(t, exitOK, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stdout, tc.want, tc.args)
	}

	r := c.run("", "providers", "get", "3", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &p))
	assert.Equal(t, "erp_main", p["code"])

	r = c.run("", "providers", "get", "99")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Equal(t, "whippyware: GET "+c.fake.URL+"/api/v1/providers/99/: 404 Not Found: Not found.\n", r.stderr)
	r = c.run("", "providers", "get", "x")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, `"x" is not an id`)
}

func TestSyncSnapshotZeroesWhatTheFileLeavesOut(t *testing.T) {
	c := newCLI(t)
	r := c.run("SKU-1,erp_main,300,7\n", "sync", "--snapshot", "--dry-run", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "zero SKU-1@erp_main/300[virtual] id 4: stock 50 -> 0\n")

	r = c.run("SKU-1,erp_main,300,7\n", "sync", "--snapshot", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "updated 1, unchanged 0, zeroed 1, ")
	// Zeroed, not deleted; shop_provider's fixture row is not the file's provider.
	assert.Equal(t, map[string]int64{"SKU-1@300[standard]": 7, "SKU-1@300[virtual]": 0, "555AB13004562130@110[standard]": 5}, c.quantities())
}

func TestVersionNamesTheBuild(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "--version")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^whippyware \S+ \(.*go1\.\d+.*\)\n$`, r.stdout)
	assert.Zero(t, c.fake.RequestCount("", ""), "--version sends nothing")
}

func TestCompletionScripts(t *testing.T) {
	c := newCLI(t)
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := c.run("", "completion", shell)
		require.Equal(t, exitOK, r.code, "%s: %s", shell, r.stderr)
		assert.Contains(t, r.stdout, "whippyware", shell)
	}
	// The script completes the command's own subcommands.
	r := c.run("", "__complete", "prov")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "providers")
	r = c.run("", "__complete", "providers", "")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, sub := range []string{"list", "get", "create", "update", "delete"} {
		assert.Contains(t, r.stdout, sub+"\t")
	}
	// And the formats of --output.
	r = c.run("", "__complete", "stocks", "list", "-o", "")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "table\ncsv\njson\n:4\n", r.stdout)

	// Completion talks to no service: a bad setting does not break it (nor a shell that
	// sources the script at start).
	c.env[envInsecureHTTP] = "maybe"
	assert.Contains(t, c.ok("", "completion", "bash"), "whippyware")
	assert.Contains(t, c.ok("", "__complete", "prov"), "providers")

	// A mistyped shell gives no script to source.
	r = c.run("", "completion", "bas")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "whippyware: unknown command \"bas\" for \"whippyware completion\"; did you mean bash?\n", r.stderr)
	assert.Zero(t, c.fake.RequestCount("", ""))
}

// A bad --output fails every command before its first request, also those that print no
// list (a delete, a sync): nothing is deleted or written.
func TestBadOutputFailsEveryCommandBeforeAnyRequest(t *testing.T) {
	c := newCLI(t)
	stock := c.file("stock.csv", "SKU-1,erp_main,300,9\n")
	for _, args := range [][]string{
		{"providers", "delete", "3", "--yes"},
		{"stocks", "delete", "3", "--yes", "--dry-run"},
		{"sync", stock},
		{"providers", "create", "--code", "x", "--name", "X"},
		{"stocks", "list"},
	} {
		r := c.run("", append([]string{"-o", "xml"}, args...)...)
		assert.Equal(t, exitCannotRun, r.code, args)
		assert.Equal(t, "whippyware: --output \"xml\": use table, csv or json\n", r.stderr, args)
		assert.Empty(t, r.stdout, args)
	}
	assert.Zero(t, c.fake.RequestCount("", ""), "not even a login")
}
