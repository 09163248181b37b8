package whippyware

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
)

// KeyEventKind says what happened to the client's key.
type KeyEventKind int

const (
	// KeyObtained: a login answered a key, which the client sends from now on. Every
	// login counts once, also one that returned the key the client held.
	KeyObtained KeyEventKind = iota + 1
	// KeyExpired: Auth.Logout withdrew the key on the service, and the client forgot it.
	KeyExpired
	// KeyDropped: the key stopped working (401) and the service refused the
	// credentials when the client logged in again, so the client dropped the dead key.
	KeyDropped
)

// String names the kind: "obtained", "expired" or "dropped".
func (k KeyEventKind) String() string {
	if k >= KeyObtained && k <= KeyDropped {
		return [...]string{KeyObtained: "obtained", KeyExpired: "expired", KeyDropped: "dropped"}[k]
	}
	return fmt.Sprintf("KeyEventKind(%d)", int(k))
}

// KeyEvent is a change of the client's key, handed to the hook of WithKeyHook.
type KeyEvent struct {
	Kind KeyEventKind
	// Key is the key obtained (KeyObtained) or forgotten (KeyExpired, KeyDropped):
	// a secret, which String and Format leave out.
	Key string
}

// String describes the event without its key.
func (e KeyEvent) String() string { return "whippyware.KeyEvent{" + e.Kind.String() + "}" }

// LogValue makes log/slog print String whatever the handler: a JSON handler would
// otherwise marshal Key.
func (e KeyEvent) LogValue() slog.Value { return slog.StringValue(e.String()) }

// Format makes every fmt verb print String, so that %+v and %#v cannot print the key.
func (e KeyEvent) Format(f fmt.State, _ rune) { io.WriteString(f, e.String()) }

// WithKeyHook sets a function told each time the client obtains a key (every
// login, the automatic ones included) and each time it forgets one (Logout, or a
// dead key dropped when the credentials were refused). The key of WithKey is not
// announced as obtained, since the caller has it; its loss is. A short-lived job can persist KeyObtained's key and
// start its next run with WithKey; a service can count logins.
//
// hook runs on a goroutine of the client's, one event at a time, in the order the
// key changed, and never while the client holds a lock a call needs: a slow hook
// delays only the events after it, and it may call the client. So it may run after
// the call that caused the event has returned: a program about to exit that needs
// the last key should read Auth.Key rather than wait for the hook.
//
// A panic in hook is recovered, since it runs where the caller could not recover
// it, and logged at error level through WithLogger's logger (slog's default
// without one), with the key left out; the events after it are still handed over.
func WithKeyHook(hook func(KeyEvent)) Option {
	return option(hook == nil, invalid("WithKeyHook needs a non-nil function"), func(c *config) { c.keyHook = hook })
}

// keyEvents hands events to the hook in the order they were posted, each on a
// goroutine of its own that waits for the one before, so that a client needs no
// Close.
type keyEvents struct {
	hook   func(KeyEvent)
	logger *slog.Logger // for a panicking hook; nil: slog's default
	// last is closed once the last event posted has been handed over. The token
	// store's mu guards it: every post is made under that lock.
	last chan struct{}
}

// post hands e over after the events posted before it. It never waits for the
// hook, so the token store calls it under its lock, which keeps the events in the
// order of the key's changes.
func (q *keyEvents) post(e KeyEvent) {
	if q == nil {
		return
	}
	before, done := q.last, make(chan struct{})
	q.last = done
	go func() {
		defer close(done)
		defer func() { // the hook runs where the caller could not recover a panic
			if r := recover(); r != nil {
				msg := strings.ReplaceAll(fmt.Sprint(r), e.Key, "[redacted]") // an event always has a key
				cmp.Or(q.logger, slog.Default()).Error("whippyware: the key hook panicked", slog.Any("event", e), slog.String("panic", msg),
					slog.String("stack", string(debug.Stack())))
			}
		}()
		if before != nil {
			<-before
		}
		q.hook(e)
	}()
}
