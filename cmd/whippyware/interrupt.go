package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts is how Ctrl-C (SIGINT) and SIGTERM reach a command: the first cancels the
// command's context, after onFirst says what happens next; the second closes stopNow,
// on which a sync stops at once.
type interrupts struct {
	mu      sync.Mutex
	onFirst func()
	stopNow chan struct{}
}

type interruptsKey struct{}

// watchSignals returns a context that ends at the first SIGINT or SIGTERM and carries
// the interrupts a sync listens to; stop releases the signals.
func watchSignals(parent context.Context) (ctx context.Context, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := withInterrupts(parent, sigs)
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// withInterrupts is watchSignals with the signals read from sigs.
func withInterrupts(parent context.Context, sigs <-chan os.Signal) (context.Context, context.CancelFunc) {
	in := &interrupts{stopNow: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.WithValue(parent, interruptsKey{}, in))
	released := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-released:
			return
		}
		in.mu.Lock()
		f := in.onFirst
		in.mu.Unlock()
		if f != nil {
			f()
		}
		cancel()
		select {
		case <-sigs:
			close(in.stopNow)
		case <-released:
		}
	}()
	var once sync.Once
	return ctx, func() { once.Do(func() { close(released) }); cancel() }
}

// interruptsOf returns the interrupts ctx carries, nil when none (a test or a caller
// without signals).
func interruptsOf(ctx context.Context) *interrupts {
	in, _ := ctx.Value(interruptsKey{}).(*interrupts)
	return in
}

// onInterrupt sets what the first signal prints.
func (in *interrupts) onInterrupt(f func()) {
	if in == nil {
		return
	}
	in.mu.Lock()
	in.onFirst = f
	in.mu.Unlock()
}

// stop is closed by the second signal (nil, never closed, without interrupts).
func (in *interrupts) stop() <-chan struct{} {
	if in == nil {
		return nil
	}
	return in.stopNow
}
