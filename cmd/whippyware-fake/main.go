// Command whippyware-fake serves the in-memory fake of the Whippy Ware API (package
// whippywaretest) on a local address, to try the SDK or any other client by hand.
//
//	whippyware-fake [-addr 127.0.0.1:8080] [-user test] [-password test_pass] [-page-size 20] [-seed] [-allow-remote]
//
// It prints its URL, serves until SIGINT or SIGTERM, and then stops cleanly. It listens on a
// loopback address only, unless -allow-remote is given: the fake has no TLS and test
// credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "whippyware-fake:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. It prints one line to stdout, with the URL actually listened on
// (so ":0" ports can be found).
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("whippyware-fake", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on")
	user := fs.String("user", wt.DefaultUsername, "user `name` that can log in")
	password := fs.String("password", wt.DefaultPassword, "that user's `password`")
	pageSize := fs.Int("page-size", 20, "page `size` of lists sent without limit")
	seed := fs.Bool("seed", false, "seed the documented example records")
	allowRemote := fs.Bool("allow-remote", false, "allow listening on an address that is not loopback")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *pageSize < 1 {
		return fmt.Errorf("-page-size %d: must be at least 1", *pageSize)
	}
	if !*allowRemote {
		if err := requireLoopback(*addr); err != nil {
			return err
		}
	}

	// The request log serves tests; a server that runs for hours keeps only its tail.
	opts := []wt.Option{wt.WithoutListener(), wt.WithUser(*user, *password), wt.WithPageSize(*pageSize),
		wt.WithRequestLogLimit(10000), wt.WithRequestLogRecordSize(4 << 10)}
	if *seed {
		opts = append(opts, wt.WithFixtures())
	}
	fake := wt.NewServer(opts...) // without its own socket: served on ours below
	defer fake.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "whippyware-fake serving on http://%s (user %q)\n", ln.Addr(), *user)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fake.Close() // ends injected latency, so that the shutdown does not wait for it
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// requireLoopback refuses an address that others could reach: the fake is for this machine.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to listen on %q, which is not a loopback address (pass -allow-remote to do it anyway)", addr)
	}
	return nil
}
