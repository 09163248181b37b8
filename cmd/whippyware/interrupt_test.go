package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// Ctrl-C says at once what it waits for; a second one stops at once with what is known:
// the rows written before, and the requests sent, as the progress last counted them.
func TestSyncTwoInterrupts(t *testing.T) {
	c := storeCLI(t)
	inFlight := make(chan struct{}, 10)
	release := make(chan struct{})
	var writes atomic.Int32
	c.fake.SetFaultFunc(func(r *http.Request) *wt.Fault {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/stocks/" && writes.Add(1) > 2 {
			inFlight <- struct{}{}
			<-release // the write hangs until the test ends
		}
		return nil
	})
	t.Cleanup(func() { close(release) })
	sigs := make(chan os.Signal, 2)
	ctx, stop := withInterrupts(context.Background(), sigs)
	defer stop()
	stderr := &waitBuffer{}
	var stdout bytes.Buffer
	report := filepath.Join(t.TempDir(), "report.json")
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"sync", "--workers", "2", "--report", report, "-"}, func(k string) string { return c.env[k] },
			strings.NewReader("A,erp_a,a1,1\nB,erp_a,a1,2\nC,erp_a,a1,3\nD,erp_a,a1,4\n"), &stdout, stderr)
	}()
	for range 2 {
		select {
		case <-inFlight:
		case <-time.After(time.Minute):
			t.Fatal("the writes never started")
		}
	}
	sigs <- os.Interrupt
	stderr.waitFor(t, "whippyware: waiting up to 10 s for 2 writes in flight; Ctrl-C again to stop now\n")
	sigs <- os.Interrupt
	// The writes hang until the test ends, so only the second Ctrl-C can end the run
	// before the 10 s grace; the message below says which path ended it.
	select {
	case got := <-code:
		assert.Equal(t, exitCannotRun, got)
	case <-time.After(time.Minute):
		t.Fatal("the second Ctrl-C did not stop the sync")
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	var lastProgress string
	for _, l := range lines {
		if strings.HasPrefix(l, "sync: 2 written, 0 failed, 2 left of 4; ") {
			lastProgress = l
		}
	}
	require.NotEmpty(t, lastProgress, "stderr: %s", stderr)
	requests := strings.Fields(strings.TrimPrefix(lastProgress, "sync: 2 written, 0 failed, 2 left of 4; "))[0]
	assert.Contains(t, stdout.String(), "created 2, updated 0, unchanged 0, zeroed 0, failed 0, superseded 0, not done 2; "+requests+" requests")
	assert.Contains(t, stderr.String(), "stopped at the second Ctrl-C: 2 writes were in flight and may or may not have been applied; run again to finish")
	var rep struct {
		NotDone  int `json:"not_done"`
		Outcomes []any
	}
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep), "the report of what is known is whole JSON: %s", b)
	assert.Equal(t, 2, rep.NotDone)
	assert.Len(t, rep.Outcomes, 2)
}
