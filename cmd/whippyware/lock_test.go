package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lock another run holds is waited for up to --lock-wait.
func TestLockerWaits(t *testing.T) {
	dir := t.TempDir()
	other, err := newLocker(dir, "https://x", 0)
	require.NoError(t, err)
	require.NoError(t, other.lock(context.Background(), []string{"p"}))
	l, err := newLocker(dir, "https://x", time.Hour)
	require.NoError(t, err)
	sleeps := 0
	l.sleep = func(context.Context, time.Duration) error {
		if sleeps++; sleeps == 3 {
			other.unlock() // the other run ends while this one waits
		}
		return nil
	}
	require.NoError(t, l.lock(context.Background(), []string{"p"}))
	assert.Equal(t, 3, sleeps)
	l.unlock()

	// Another service's provider of the same code is another lock.
	require.NoError(t, other.lock(context.Background(), []string{"p"}))
	l2, err := newLocker(dir, "https://y", 0)
	require.NoError(t, err)
	require.NoError(t, l2.lock(context.Background(), []string{"p"}))
}

// One sync per (service, provider) at a time: a run over {erp_a, erp_b} and one over
// {erp_b} exclude each other (issue case 5).
func TestSyncTakesOneLockPerProvider(t *testing.T) {
	c := storeCLI(t)
	dir := t.TempDir()
	other, err := newLocker(dir, c.fake.URL, 0)
	require.NoError(t, err)
	require.NoError(t, other.lock(context.Background(), []string{"erp_b"}))

	in := "A,erp_a,a1,1\nB,erp_b,b1,1\n"
	r := c.run(in, "sync", "--lock-dir", dir, "-")
	assert.Equal(t, exitCannotRun, r.code)
	assert.Regexp(t, `another sync of provider "erp_b" on `+regexp.QuoteMeta(c.fake.URL)+` is running \(pid \d+ since [0-9T:Z-]+; lock file .*\): wait for it to end, give --lock-wait 10m to wait, or --no-lock`, r.stderr)
	assert.Zero(t, c.stockWrites())

	// erp_a's lock was released when erp_b's could not be had.
	mine, err := newLocker(dir, c.fake.URL, 0)
	require.NoError(t, err)
	require.NoError(t, mine.lock(context.Background(), []string{"erp_a"}))
	mine.unlock()

	r = c.run("A,erp_a,a1,1\n", "sync", "--lock-dir", dir, "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = c.run(in, "sync", "--no-lock", "--lock-dir", dir, "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	other.unlock()
	r = c.run(in, "sync", "--lock-dir", dir, "-")
	require.Equal(t, exitOK, r.code, r.stderr)
}
