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
