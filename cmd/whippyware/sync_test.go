package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// storeCLI is a command against a fake holding providers erp_a (locations a1, a2) and
// erp_b (location b1), and no stock.
func storeCLI(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	a := c.fake.AddProvider(wt.Provider{Name: "ERP A", Code: "erp_a", IsActive: true})
	b := c.fake.AddProvider(wt.Provider{Name: "ERP B", Code: "erp_b", IsActive: true})
	for _, l := range []wt.StockLocation{{Code: "a1", Provider: a.ID}, {Code: "a2", Provider: a.ID}, {Code: "b1", Provider: b.ID}} {
		l.Name, l.IsActive = l.Code, true
		c.fake.AddStockLocation(l)
	}
	return c
}

// stock seeds one row.
func (c *cli) stock(sku, provider, location string, n int64) {
	c.fake.AddStock(wt.Stock{SKU: sku, Provider: provider, Location: location, Stock: n, IsActive: true})
}

// held returns provider's rows by SKU@location.
func (c *cli) held(provider string) map[string]int64 {
	out := map[string]int64{}
	for _, s := range c.fake.Stocks() {
		if s.Provider == provider {
			out[s.SKU+"@"+s.Location] = s.Stock
		}
	}
	return out
}

// stockWrites counts the stock writes the fake received.
func (c *cli) stockWrites() int {
	return c.fake.RequestCount("POST", "/api/v1/stocks/") + c.fake.RequestCount("PATCH", "/api/v1/stocks/*")
}

// A row the file lists is never zeroed, even when its line cannot be read (issue case 1).
func TestSnapshotNeverZeroesAListedRow(t *testing.T) {
	for _, bad := range []string{"1.500", "70.0"} {
		t.Run(bad, func(t *testing.T) {
			c := storeCLI(t)
			c.stock("A", "erp_a", "a1", 5)
			c.stock("B", "erp_a", "a1", 1500)
			in := "A,erp_a,a1,5\nB,erp_a,a1," + bad + "\n"
			// Even when zeroing despite invalid lines is asked for, B is listed: left alone.
			r := c.run(in, "sync", "--snapshot", "--zero-despite-invalid", "-")
			assert.Equal(t, exitRowsFailed, r.code, r.stderr)
			assert.Contains(t, r.stdout, fmt.Sprintf("failed line 2 B@erp_a/a1[standard] quantity %q is not a whole number\n", bad))
			assert.Contains(t, r.stdout, "zeroed 0, failed 1")
			assert.Equal(t, map[string]int64{"A@a1": 5, "B@a1": 1500}, c.held("erp_a"))
			assert.Zero(t, c.stockWrites())
		})
	}
}

// Any invalid line makes a snapshot zero nothing, unless asked; the valid rows are written.
func TestSnapshotWithAnInvalidLineZeroesNothing(t *testing.T) {
	c := storeCLI(t)
	for _, sku := range []string{"A", "B", "C", "D", "E"} {
		c.stock(sku, "erp_a", "a1", 5)
	}
	in := "A,erp_a,a1,6\nB,erp_a,a1,5\nC,erp_a,a1,5\nD,erp_a,a1,5\n,,,\n"
	r := c.run(in, "sync", "--snapshot", "-")
	assert.Equal(t, exitRowsFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "zeroed nothing: the input has 1 invalid rows, so 1 rows it does not list were left as they are (zero anyway with --zero-despite-invalid)\n")
	assert.Contains(t, r.stdout, "updated 1, unchanged 3, zeroed 0, failed 1")
	assert.Equal(t, int64(5), c.held("erp_a")["E@a1"])

	r = c.run(in, "sync", "--snapshot", "--zero-despite-invalid", "-")
	assert.Equal(t, exitRowsFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "zeroed 1, failed 1")
	assert.Equal(t, int64(0), c.held("erp_a")["E@a1"])
}

// An export cut short would zero most of the store: the snapshot writes nothing, says
// why and exits 3 (issue case 2); --max-zero lets a larger share through.
func TestSnapshotOfATruncatedExportWritesNothing(t *testing.T) {
	c := storeCLI(t)
	var full strings.Builder
	for i := range 1000 {
		c.stock(fmt.Sprintf("SKU-%04d", i), "erp_a", "a1", 3)
		fmt.Fprintf(&full, "SKU-%04d,erp_a,a1,4\n", i)
	}
	c.stock("OTHER", "erp_b", "b1", 3)
	truncated := strings.Join(strings.SplitAfter(full.String(), "\n")[:100], "") // 100 of 1,000 rows

	r := c.run(truncated, "sync", "--snapshot", "-")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stdout, `refused: provider "erp_a": 900 of its 1000 rows with stock would be zeroed, 100 allowed`+"\n")
	assert.Contains(t, r.stderr, "the snapshot would zero too many rows, so nothing was written")
	assert.Contains(t, r.stdout, "not done 1000")
	assert.Zero(t, c.stockWrites(), "not even the 100 updates")

	r = c.run(truncated, "sync", "--snapshot", "--dry-run", "-")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stdout, "refused: provider \"erp_a\"")

	r = c.run(truncated, "sync", "--snapshot", "--max-zero", "899", "-")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stdout, "900 of its 1000 rows with stock would be zeroed, 899 allowed")
	r = c.run(truncated, "sync", "--snapshot", "--max-zero", "85%", "-")
	assert.Equal(t, exitRefused, r.code)
	assert.Zero(t, c.stockWrites())

	r = c.run(truncated, "sync", "--snapshot", "--max-zero", "90%", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "updated 100, unchanged 0, zeroed 900")
	assert.Equal(t, map[string]int64{"OTHER@b1": 3}, c.held("erp_b"), "another provider's rows are not the file's")

	// The whole export afterwards: nothing to zero, nothing refused.
	r = c.run(full.String(), "sync", "--snapshot", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "updated 900, unchanged 100, zeroed 0")
}

func TestSnapshotDefaultLimitLetsAFewRowsGo(t *testing.T) {
	c := storeCLI(t)
	for i := range 30 {
		c.stock(fmt.Sprintf("SKU-%02d", i), "erp_a", "a1", 3)
	}
	var in strings.Builder
	for i := range 12 { // 18 of 30 would go: more than half
		fmt.Fprintf(&in, "SKU-%02d,erp_a,a1,3\n", i)
	}
	r := c.run(in.String(), "sync", "--snapshot", "-")
	assert.Equal(t, exitRefused, r.code)
	assert.Contains(t, r.stdout, "18 of its 30 rows with stock would be zeroed, 15 allowed")
	for i := 12; i < 15; i++ { // 15 of 30: the floor of 20, at most half
		fmt.Fprintf(&in, "SKU-%02d,erp_a,a1,3\n", i)
	}
	r = c.run(in.String(), "sync", "--snapshot", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "zeroed 15")
}

// Bytes that are not UTF-8 are refused with their line and offset, never sent as U+FFFD
// (issue case 3); --encoding reads a Windows-1254 or UTF-16 export.
func TestSyncEncodings(t *testing.T) {
	c := storeCLI(t)
	c.stock("KEEP", "erp_a", "a1", 2)
	win1254 := "KAZAK-\xc7,erp_a,a1,3\nKAZAK-\xde,erp_a,a1,4\nKEEP,erp_a,a1,2\n"
	r := c.run(win1254, "sync", "--snapshot", "--zero-despite-invalid", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "failed line 1 byte 0xC7 at offset 6 is not UTF-8: the file is in another encoding (e.g. windows-1254)\n")
	assert.Contains(t, r.stdout, "failed line 2 byte 0xDE at offset 25 is not UTF-8")
	assert.Zero(t, c.stockWrites())

	r = c.run(win1254, "sync", "--encoding", "windows-1254", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]int64{"KAZAK-Ç@a1": 3, "KAZAK-Ş@a1": 4, "KEEP@a1": 2}, c.held("erp_a"))

	// UTF-16 with a byte order mark, as Excel's "Unicode text" writes it (tab-separated).
	units := utf16.Encode([]rune("sku\tprovider\tlocation\tquantity\r\nÇİĞ\terp_a\ta2\t5\r\n"))
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range units {
		b.Write([]byte{byte(u), byte(u >> 8)})
	}
	path := c.file("utf16.csv", b.String())
	r = c.run("", "sync", path)
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "UTF-16 byte order mark: read it with the utf-16 encoding")
	r = c.run("", "sync", "--encoding", "utf-16", path)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, int64(5), c.held("erp_a")["ÇİĞ@a2"])
}

// Keys are changed as the service changes them, so that a second run finds the row the
// first created (issue case 4); what the service refuses is refused on every run.
func TestSyncKeysConvergeAsTheServiceStoresThem(t *testing.T) {
	c := storeCLI(t)
	in := "SEP\x1f,erp_a,a1,3\n\x1cTAB\t,erp_a,a1,4\n" + strings.Repeat("L", 256) + ",erp_a,a1,1\nNUL\x00,erp_a,a1,1\n"
	for run := 1; run <= 2; run++ {
		before := c.stockWrites()
		r := c.run(in, "sync", "-")
		assert.Equal(t, exitRowsFailed, r.code)
		assert.Contains(t, r.stdout, "failed line 3 "+strings.Repeat("L", 256)+"@erp_a/a1[standard] sku: Ensure this field has no more than 255 characters.\n")
		assert.Contains(t, r.stdout, "sku: Null characters are not allowed.")
		if run == 1 {
			assert.Contains(t, r.stdout, "created 2, updated 0, unchanged 0, zeroed 0, failed 2")
			assert.Equal(t, 2, c.stockWrites()-before)
		} else {
			assert.Contains(t, r.stdout, "created 0, updated 0, unchanged 2, zeroed 0, failed 2")
			assert.Zero(t, c.stockWrites()-before, "converged: nothing written again")
		}
	}
	assert.Equal(t, map[string]int64{"SEP@a1": 3, "TAB@a1": 4}, c.held("erp_a"))
}

// Two runs of the same file at once (no lock): every row is created once, and each run's
// counts add up to the rows, a create refused as taken counted as updated or unchanged.
func TestConcurrentRunsCountsAddUp(t *testing.T) {
	c := storeCLI(t)
	var in strings.Builder
	const rows = 300
	for i := range rows {
		fmt.Fprintf(&in, "SKU-%03d,erp_a,a1,%d\n", i, i)
	}
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.run(in.String(), "sync", "--no-lock", "--report", filepath.Join(t.TempDir(), "r.json"), "-")
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		require.Equal(t, exitOK, r.code, r.stderr)
		var cr, up, un int
		_, err := fmt.Sscanf(r.stdout[strings.LastIndex(r.stdout, "created "):], "created %d, updated %d, unchanged %d", &cr, &up, &un)
		require.NoError(t, err, r.stdout)
		assert.Equal(t, rows, cr+up+un, r.stdout)
		created += cr
	}
	assert.Equal(t, rows, created, "each row created once, by one run")
	assert.Len(t, c.held("erp_a"), rows)
}

// A line longer than the limit is an invalid line, never read whole nor echoed.
func TestSyncRefusesALongLineWithoutEchoingIt(t *testing.T) {
	c := storeCLI(t)
	long := "X" + strings.Repeat("y", 1<<20) + ",erp_a,a1,1"
	r := c.run(long+"\nA,erp_a,a1,1\n", "sync", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "failed line 1 line too long: longer than 16384 bytes, not read (a stock row is a few hundred)\n")
	assert.Less(t, len(r.stdout), 1000, "the line is not printed")
	assert.Equal(t, map[string]int64{"A@a1": 1}, c.held("erp_a"))
}

// Many invalid lines: all counted, the first --show-invalid listed, in the summary and
// the report.
func TestSyncListsTheFirstInvalidLines(t *testing.T) {
	c := storeCLI(t)
	in := strings.Repeat("x\n", 5000) + "A,erp_a,a1,1\n"
	report := filepath.Join(t.TempDir(), "report.json")
	r := c.run(in, "sync", "--show-invalid", "3", "--report", report, "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Equal(t, 3, strings.Count(r.stdout, "failed line "))
	assert.Contains(t, r.stdout, "failed: 4997 more invalid lines not listed\n")
	assert.Contains(t, r.stdout, "created 1, updated 0, unchanged 0, zeroed 0, failed 5000")
	var rep struct {
		Created, Failed int
		InvalidRows     int `json:"invalid_rows"`
		Outcomes        []struct{ Line int }
	}
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep), string(b))
	assert.Equal(t, 5000, rep.InvalidRows)
	assert.Equal(t, 5000, rep.Failed)
	assert.Len(t, rep.Outcomes, 4, "3 invalid lines and the created row")
}

// Every flag and the report's path are checked before the first request.
func TestSyncChecksFlagsBeforeAnyRequest(t *testing.T) {
	c := storeCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--report", filepath.Join(t.TempDir(), "no", "such", "dir", "r.json")}, "--report: open "},
		{[]string{"--encoding", "klingon"}, `--encoding "klingon": unknown`},
		{[]string{"--snapshot", "--max-zero", "lots"}, `--max-zero "lots": give a share like 25% or a number of rows like 500`},
		{[]string{"--snapshot", "--max-zero", "120%"}, `--max-zero "120%"`},
		{[]string{"--max-zero", "5"}, "--max-zero and --zero-despite-invalid apply to --snapshot only"},
		{[]string{"--delimiter", "ab"}, `--delimiter "ab": give one character`},
		{[]string{"--show-invalid", "-1"}, "--show-invalid may not be negative"},
		{[]string{"--lock-wait", "-1s"}, "--lock-wait may not be negative"},
		{[]string{"--provider", ""}, "--provider may not be empty"},
	} {
		r := c.run("A,erp_a,a1,1\n", append(append([]string{"sync"}, tc.args...), "-")...)
		assert.Equal(t, exitCannotRun, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
	assert.Zero(t, len(c.fake.Requests()), "no request at all")
}

// --provider syncs some providers of a larger file: one process per provider.
func TestSyncSelectsProviders(t *testing.T) {
	c := storeCLI(t)
	c.stock("GONE-A", "erp_a", "a1", 1)
	c.stock("GONE-B", "erp_b", "b1", 1)
	in := "A,erp_a,a1,1\nB,erp_b,b1,2\nA2,erp_a,a2,3\nX,erp_c,c1,zz\n"
	r := c.run(in, "sync", "--snapshot", "--max-zero", "1", "--provider", "erp_a", "-")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "skipped 2 rows of other providers\n")
	assert.Contains(t, r.stdout, "created 2, updated 0, unchanged 0, zeroed 1, failed 0")
	assert.Equal(t, map[string]int64{"A@a1": 1, "A2@a2": 3, "GONE-A@a1": 0}, c.held("erp_a"))
	assert.Equal(t, map[string]int64{"GONE-B@b1": 1}, c.held("erp_b"), "another provider's rows are left alone")

	r = c.run(in, "sync", "--provider", "erp_a", "--provider", "erp_b", "-")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "created 1, updated 0, unchanged 2")
	assert.Equal(t, int64(2), c.held("erp_b")["B@b1"])
}

// stocks list -o csv, edited, syncs back: only the edited row is written.
func TestSyncReadsAnExportBack(t *testing.T) {
	c := storeCLI(t)
	c.stock("=SUM(1)", "erp_a", "a1", 1)
	c.stock("A", "erp_a", "a1", 2)
	c.stock("B", "erp_a", "a2", 3)
	r := c.run("", "stocks", "list", "--provider", "erp_a", "-o", "csv")
	require.Equal(t, exitOK, r.code, r.stderr)
	records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	quantity := slices.IndexFunc(records[0], func(h string) bool { return h == "quantity" || h == "stock" })
	sku := slices.Index(records[0], "sku")
	require.True(t, quantity >= 0 && sku >= 0, "the export names its columns: %v", records[0])
	for _, rec := range records[1:] {
		if rec[sku] == "B" {
			rec[quantity] = "4" // the one edit
		}
	}
	var edited strings.Builder
	require.NoError(t, csv.NewWriter(&edited).WriteAll(records))
	r = c.run(edited.String(), "sync", "-")
	require.Equal(t, exitOK, r.code, edited.String()+r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "created 0, updated 1, unchanged 2")
	assert.Equal(t, 1, c.stockWrites())
	assert.Equal(t, map[string]int64{"=SUM(1)@a1": 1, "A@a1": 2, "B@a2": 4}, c.held("erp_a"))

	// Timestamps are read-only columns too; a ' before other text is data.
	r = c.run("id,sku,provider,location,quantity,created_date,modified_date\n9,'=SUM(1),erp_a,a1,5,2026-01-01T00:00:00Z,\n,''@x,erp_a,a1,1,,\n,'plain,erp_a,a1,1,,\n", "sync", "-")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, map[string]int64{"=SUM(1)@a1": 5, "A@a1": 2, "B@a2": 4, "'@x@a1": 1, "'plain@a1": 1}, c.held("erp_a"))
}

// The delimiter is found from the header line; a line of one field names the delimiter.
func TestSyncDelimiters(t *testing.T) {
	c := storeCLI(t)
	r := c.run("sku;provider;location;quantity\nA;erp_a;a1;1\n", "sync", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = c.run("sku\tprovider\tlocation\tquantity\nB\terp_a\ta1\t2\n", "sync", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = c.run("C|erp_a|a1|3\n", "sync", "--delimiter", "|", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]int64{"A@a1": 1, "B@a1": 2, "C@a1": 3}, c.held("erp_a"))

	r = c.run("D;erp_a;a1;4\n", "sync", "--delimiter", ",", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, `failed line 1 has 1 field: no "," in the line; is the file separated by another delimiter? (set it with --delimiter)`)
}

// The progress line's counts add up and match the summary's, invalid lines included, and
// the summary's time counts the plan's reads.
func TestSyncProgressMatchesTheSummary(t *testing.T) {
	c := storeCLI(t)
	c.fake.FailNext(1, wt.Fault{Method: "GET", Path: "/api/v1/stocks/", Latency: 300 * time.Millisecond})
	r := c.run("A,erp_a,a1,1\nB,erp_a,a1,x\nC,erp_a,zz,1\nD,erp_a,a1,2\n", "sync", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "created 2, updated 0, unchanged 0, zeroed 0, failed 2")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	assert.Regexp(t, `^sync: 2 written, 2 failed, 0 left of 4; `, lines[len(lines)-1])
	m := regexp.MustCompile(` in ([0-9.]+m?s)\n`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	d, err := time.ParseDuration(m[1])
	require.NoError(t, err)
	assert.GreaterOrEqual(t, d, 300*time.Millisecond, "the plan's page read is counted")
}

// waitBuffer is a stderr that a test can wait on while the command writes to it.
type waitBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *waitBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *waitBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *waitBuffer) waitFor(t *testing.T, s string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if strings.Contains(w.String(), s) {
			return
		}
	}
	t.Fatalf("stderr never said %q; it said %q", s, w.String())
}

// A snapshot that zeroes despite invalid lines still never zeroes a row an invalid line
// lists, whatever makes the line invalid, even when only part of its key can be read.
func TestSnapshotProtectsTheRowOfEveryKindOfInvalidLine(t *testing.T) {
	for _, bad := range []string{
		"B,erp_a,a1,1.500", "B,erp_a,a1,70.0", "B,erp_a,a1,", "B,erp_a,a1, x",
		"B,erp_a,a1,5,standard,0,pcs,2020-01-01,extra", "B,erp_a", "B", "B;erp_a;a1;5",
		"B\xff,erp_a,a1,5", "B,erp_a,a1,5,standard,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", `B,erp_a,a1,"5`, `B,"erp_a"x,a1,5`,
		"B\x1f,erp_a,a1,1.500", " B ,erp_a,a1,1.500", "B,erp_a,a1,5,standard,x",
	} {
		t.Run(bad, func(t *testing.T) {
			c := storeCLI(t)
			c.stock("A", "erp_a", "a1", 5)
			c.stock("B", "erp_a", "a1", 1500)
			c.stock("Z", "erp_b", "b1", 7)
			in := "A,erp_a,a1,5\n" + bad + "\nZ,erp_b,b1,7\n"
			r := c.run(in, "sync", "--snapshot", "--zero-despite-invalid", "--max-line-bytes", "40", "-")
			assert.Equal(t, exitRowsFailed, r.code, r.stdout+r.stderr)
			assert.Equal(t, int64(1500), c.held("erp_a")["B@a1"], r.stdout)
			assert.Zero(t, c.stockWrites(), r.stdout)
		})
	}
	// A line without a readable provider keeps every provider's rows; the summary says why.
	c := storeCLI(t)
	c.stock("B", "erp_a", "a1", 1500)
	r := c.run("A,erp_a,a1,5\nB;erp_a;a1;5\n", "sync", "--snapshot", "--zero-despite-invalid", "-")
	assert.Equal(t, exitRowsFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "zeroed less: 1 invalid rows name no whole key, so the rows they list are not known, and 1 rows of their providers")
	assert.Equal(t, map[string]int64{"A@a1": 5, "B@a1": 1500}, c.held("erp_a"))
}

// Every common form of a Turkish export is read as the same two SKUs; what an encoding
// cannot decode, or a UTF-8 file read as a code page, is refused, never merged or mangled.
func TestSyncEncodingsKeepSKUsApart(t *testing.T) {
	utf16Of := func(s string, bigEndian bool) string {
		var b bytes.Buffer
		for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
			if bigEndian {
				u = u>>8 | u<<8
			}
			b.Write([]byte{byte(u), byte(u >> 8)})
		}
		return b.String()
	}
	text := "KAZAK-Ç,erp_a,a1,3\nKAZAK-Ş,erp_a,a1,4\n"
	win := "KAZAK-\xc7,erp_a,a1,3\nKAZAK-\xde,erp_a,a1,4\n"
	for _, tc := range []struct{ encoding, in string }{
		{"windows-1254", win}, {"iso-8859-9", win}, {"utf-16", utf16Of(text, false)},
		{"utf-16", utf16Of(text, true)}, {"utf-8", "\uFEFF" + text},
	} {
		c := storeCLI(t)
		r := c.run(tc.in, "sync", "--snapshot", "--encoding", tc.encoding, "-")
		require.Equal(t, exitOK, r.code, tc.encoding+r.stdout+r.stderr)
		assert.Equal(t, map[string]int64{"KAZAK-Ç@a1": 3, "KAZAK-Ş@a1": 4}, c.held("erp_a"), tc.encoding)
	}

	c := storeCLI(t)
	c.stock("KAZAK-Ç", "erp_a", "a1", 3)
	r := c.run("\xef\xbb\xbf"+text, "sync", "--snapshot", "--encoding", "windows-1254", "-")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Contains(t, r.stderr, "the input starts with a UTF-8 byte order mark: it is UTF-8")
	r = c.run("X\x81,erp_a,a1,1\nX\x8d,erp_a,a1,2\n", "sync", "--encoding", "windows-1254", "-")
	assert.Equal(t, exitRowsFailed, r.code)
	assert.Contains(t, r.stdout, "failed line 2 the encoding cannot decode a character of the line")
	assert.Equal(t, map[string]int64{"KAZAK-Ç@a1": 3}, c.held("erp_a"), "no X\uFFFD row")
}

// Each form of --max-zero bounds the zeroes of a 40-row provider that would lose 10 rows
// (25%); a value it cannot read is refused before any request.
func TestSnapshotMaxZeroForms(t *testing.T) {
	seed := func() (*cli, string) {
		c := storeCLI(t)
		var in strings.Builder
		for i := range 40 {
			c.stock(fmt.Sprintf("S%02d", i), "erp_a", "a1", 3)
			if i < 30 {
				fmt.Fprintf(&in, "S%02d,erp_a,a1,4\n", i)
			}
		}
		return c, in.String()
	}
	for _, tc := range []struct {
		limit string
		code  int
	}{{"25%", 0}, {"24%", 3}, {"10", 0}, {"9", 3}, {"0", 3}, {"0%", 3}, {"100%", 0}, {"500", 0}, {" 25% ", 0}, {"25.0%", 0}} {
		c, in := seed()
		r := c.run(in, "sync", "--snapshot", "--max-zero", tc.limit, "-")
		assert.Equal(t, tc.code, r.code, tc.limit+r.stdout+r.stderr)
		if tc.code == 3 {
			assert.Zero(t, c.stockWrites(), tc.limit)
		} else {
			assert.Equal(t, 40, c.stockWrites(), tc.limit)
		}
	}
	for _, bad := range []string{"-1", "abc", "1.5", "%", "NaN%", "101%", "-5%", "Inf%", "1e3", "25%%", "0x10", "+-1"} {
		c, in := seed()
		r := c.run(in, "sync", "--snapshot", "--max-zero", bad, "-")
		assert.Equal(t, exitCannotRun, r.code, bad)
		assert.Contains(t, r.stderr, "--max-zero", bad)
		assert.Zero(t, len(c.fake.Requests()), bad)
	}
}

// The guard counts per provider: one provider cut short refuses the whole snapshot, the
// other provider's updates and creates included; a sync without --snapshot is not guarded.
func TestSnapshotGuardIsPerProvider(t *testing.T) {
	c := storeCLI(t)
	var in strings.Builder
	for i := range 100 {
		c.stock(fmt.Sprintf("A%02d", i), "erp_a", "a1", 3)
		c.stock(fmt.Sprintf("B%02d", i), "erp_b", "b1", 3)
		fmt.Fprintf(&in, "A%02d,erp_a,a1,4\n", i)
		if i < 50 {
			fmt.Fprintf(&in, "B%02d,erp_b,b1,4\n", i)
		}
	}
	in.WriteString("NEW,erp_a,a1,1\n")
	r := c.run(in.String(), "sync", "--snapshot", "-")
	assert.Equal(t, exitRefused, r.code, r.stdout)
	assert.Contains(t, r.stdout, `provider "erp_b"`)
	assert.NotContains(t, r.stdout, `provider "erp_a"`)
	assert.Zero(t, c.stockWrites())
	r = c.run(in.String(), "sync", "--snapshot", "--report", filepath.Join(t.TempDir(), "r.json"), "-")
	assert.Equal(t, exitRefused, r.code, r.stdout)
	assert.Zero(t, c.stockWrites())
	r = c.run(in.String(), "sync", "-")
	assert.Equal(t, exitOK, r.code, r.stdout)
	assert.Contains(t, r.stdout, "created 1, updated 150")
	r = c.run("A00,erp_a,a1,9\nX,erp_a,a1,1.5\n", "sync", "-")
	assert.Equal(t, exitRowsFailed, r.code, r.stdout)
	assert.Equal(t, int64(9), c.held("erp_a")["A00@a1"])
}

// longLineInput is an input whose second line is n bytes long, made as it is read (never
// held), that records the most bytes the sync asked for in one read, and how many it read.
type longLineInput struct {
	r             io.Reader
	largest, read int
}

func newLongLineInput(n int64) *longLineInput {
	return &longLineInput{r: io.MultiReader(strings.NewReader("A,erp_a,a1,1\nX"), io.LimitReader(xs{}, n), strings.NewReader(",erp_a,a1,1\nB,erp_a,a1,2\n"))}
}

func (l *longLineInput) Read(p []byte) (int, error) {
	l.largest = max(l.largest, len(p))
	n, err := l.r.Read(p)
	l.read += n
	return n, err
}

type xs struct{}

func (xs) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'X'
	}
	return len(p), nil
}

// A 100 MiB line is read in pieces no larger than --max-line-bytes, never whole, is not
// printed, and the lines after it are synced.
func TestSyncReadsAHundredMiBLineInPieces(t *testing.T) {
	c := storeCLI(t)
	in := newLongLineInput(100 << 20)
	var stdout, stderr bytes.Buffer
	a := &app{getenv: func(k string) string { return c.env[k] }, stdin: in, stdout: &stdout, stderr: &stderr, stdinTerminal: func() bool { return false }}
	code := a.run(context.Background(), []string{"sync", "-"})
	assert.Equal(t, exitRowsFailed, code, stderr.String())
	assert.Contains(t, stdout.String(), "failed line 2 line too long: longer than 16384 bytes")
	assert.Less(t, stdout.Len()+stderr.Len(), 2000, "the line is not printed")
	assert.Greater(t, in.read, 100<<20, "read to the end")
	assert.LessOrEqual(t, in.largest, stocksync.DefaultMaxLineBytes+1, "never a buffer for the whole line")
	assert.Equal(t, map[string]int64{"A@a1": 1, "B@a1": 2}, c.held("erp_a"))
}
