package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// locker takes one lock file per (service URL, provider), so that two syncs of the same
// provider on one machine do not run at once: the older one would write stale stock over
// the newer one's. Locks are taken in sorted order, so that runs over {a, b} and over {b}
// exclude each other on b without deadlock. The operating system drops a lock when its
// process ends, however it ends. Runs on different machines do not see each other's
// locks; run one scheduler per provider (a Kubernetes CronJob with concurrencyPolicy:
// Forbid).
type locker struct {
	dir   string
	url   string
	wait  time.Duration
	held  []*os.File
	sleep func(context.Context, time.Duration) error
}

// errLocked is what tryLock returns when another process holds the lock.
var errLocked = errors.New("locked")

// defaultLockDir is the user's runtime directory ($XDG_RUNTIME_DIR, cleared at logout),
// else their cache directory.
func defaultLockDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "whippyware"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no directory for lock files (%v): set --lock-dir, or --no-lock", err)
	}
	return filepath.Join(d, "whippyware", "locks"), nil
}

func newLocker(dir, url string, wait time.Duration) (*locker, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("--lock-dir: %w", err)
	}
	return &locker{dir: dir, url: strings.TrimRight(url, "/"), wait: wait, sleep: sleepCtx}, nil
}

// path is the lock file of one provider: its code, made safe for a file name, and a hash
// of the URL and the code, so that two services and two similar codes never share one.
func (l *locker) path(provider string) string {
	sum := sha256.Sum256([]byte(l.url + "\x00" + provider))
	safe := strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, provider)
	if len(safe) > 40 {
		safe = safe[:40]
	}
	return filepath.Join(l.dir, safe+"-"+hex.EncodeToString(sum[:8])+".lock")
}

// lock takes the locks of providers (sorted), waiting up to l.wait for each; on failure
// it releases what it took and says who holds the lock.
func (l *locker) lock(ctx context.Context, providers []string) error {
	deadline := time.Now().Add(l.wait)
	for _, p := range providers {
		path := l.path(p)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			l.unlock()
			return fmt.Errorf("lock file: %w", err)
		}
		for {
			err = tryLock(f)
			if !errors.Is(err, errLocked) || !time.Now().Before(deadline) {
				break
			}
			if err := l.sleep(ctx, min(250*time.Millisecond, time.Until(deadline))); err != nil {
				f.Close()
				l.unlock()
				return err
			}
		}
		if err != nil {
			holder, _ := os.ReadFile(path)
			f.Close()
			l.unlock()
			if errors.Is(err, errLocked) {
				return fmt.Errorf("another sync of provider %q on %s is running (%s; lock file %s): wait for it to end, give --lock-wait 10m to wait, or --no-lock",
					p, l.url, strings.TrimSpace(string(holder)), path)
			}
			return fmt.Errorf("lock file %s: %w", path, err)
		}
		// Say who holds it, for the message of a run that finds it taken.
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d since %s", os.Getpid(), time.Now().UTC().Format(time.RFC3339))), 0)
		l.held = append(l.held, f)
	}
	return nil
}

// unlock releases every lock taken.
func (l *locker) unlock() {
	for _, f := range l.held {
		_ = unlockFile(f)
		f.Close()
	}
	l.held = nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
