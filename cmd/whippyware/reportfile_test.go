package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The report file is streamed, holds every written row, and is readable by its owner only.
func TestSyncReportFile(t *testing.T) {
	c := storeCLI(t)
	report := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, os.WriteFile(report, []byte("old"), 0o644))
	r := c.run("A,erp_a,a1,1\nB,erp_a,a1,2\nC,erp_a,a1,x\n", "sync", "--report", report, "-")
	assert.Equal(t, exitRowsFailed, r.code)
	info, err := os.Stat(report)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	var rep struct {
		Created, Failed int
		Outcomes        []struct {
			Line        int
			SKU, Result string
		}
	}
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep), string(b))
	assert.Equal(t, 2, rep.Created)
	assert.Equal(t, 1, rep.Failed)
	assert.ElementsMatch(t, []struct {
		Line        int
		SKU, Result string
	}{{3, "C", "failed"}, {1, "A", "created"}, {2, "B", "created"}}, rep.Outcomes)
}

// A --report that names the input file (or a link to it) is refused before anything is
// read or written: opening the report would empty the stock file.
func TestSyncReportOnTheInputFileIsRefused(t *testing.T) {
	c := storeCLI(t)
	const stock = "A,erp_a,a1,1\n"
	input := c.file("stock.csv", stock)
	link := filepath.Join(t.TempDir(), "link.csv")
	require.NoError(t, os.Symlink(input, link))
	for _, report := range []string{input, link} {
		r := c.run("", "sync", "--report", report, input)
		assert.Equal(t, exitCannotRun, r.code)
		assert.Equal(t, "whippyware: --report "+report+" is the input file: name another file for the report\n", r.stderr)
		b, err := os.ReadFile(input)
		require.NoError(t, err)
		assert.Equal(t, stock, string(b), "the input is kept")
	}
	assert.Zero(t, c.fake.RequestCount("", ""))
}

// The report file grows while the sync runs: outcomes are on disk before the last write,
// not held until the end; a file that was there with a wider mode is narrowed to 0600.
func TestSyncReportFileGrowsWhileRunning(t *testing.T) {
	c := storeCLI(t)
	report := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, os.WriteFile(report, []byte("an older report, readable by all"), 0o644))
	var in strings.Builder
	const rows = 1000
	for i := range rows {
		fmt.Fprintf(&in, "SKU-%04d,erp_a,a1,%d\n", i, i)
	}
	var posts, sizeAtLast atomic.Int64
	var modeAtLast atomic.Uint32
	c.fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/stocks/") && posts.Add(1) == rows {
			if info, err := os.Stat(report); err == nil {
				sizeAtLast.Store(info.Size())
				modeAtLast.Store(uint32(info.Mode().Perm()))
			}
		}
		return nil
	})
	r := c.run(in.String(), "sync", "--workers", "1", "--report", report, "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	info, err := os.Stat(report)
	require.NoError(t, err)
	assert.Greater(t, sizeAtLast.Load(), info.Size()/2, "most outcomes were on disk before the last create")
	assert.Equal(t, uint32(0o600), modeAtLast.Load(), "0600 from the start")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
