package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
