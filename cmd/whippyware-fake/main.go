// Command whippyware-fake serves the in-memory fake of the Whippy Ware API (package
// whippywaretest) on a local address: the fake for tests written in any language, and for
// trying a client by hand.
//
//	go install github.com/whippyware-go/whippyware/cmd/whippyware-fake@latest
//	whippyware-fake [-addr 127.0.0.1:8080] [-user test] [-password test_pass] [-seed] [-throttle 50/s] ...
//
// Every flag can also be set by an environment variable, WHIPPYWARE_FAKE_ and the flag's name
// in capitals with "_" for "-" (WHIPPYWARE_FAKE_ADDR, WHIPPYWARE_FAKE_ALLOW_REMOTE=true); a
// flag on the command line wins.
//
// It prints its URL, serves until SIGINT or SIGTERM, and then stops cleanly. It listens on a
// loopback address only, unless -allow-remote is given: the fake has no TLS and test
// credentials.
//
// Under /_fake/ it serves a control API for tests (unless -control=false); its requests are not
// logged and meet no fault. Every POST sends Content-Type: application/json, a body or not.
//
//	GET    /_fake/ready          200 {"ready": true} once it serves
//	POST   /_fake/reset          204: empty store, no keys, no faults, empty log (-seed: seeded again)
//	POST   /_fake/seed           no body: the documented records; or {"providers": [...],
//	                             "stock_locations", "stock_list_rules", "stock_lists", "stocks"} in
//	                             the service's JSON shapes, all or nothing: 201 with what was
//	                             stored, or 400 {"error": ...} naming an unknown key or field
//	POST   /_fake/faults         204: {"count", "method", "path", "status", "retry_after" (s),
//	                             "latency_ms", "drop" ("before", "after"), "body", "content_type"}
//	GET    /_fake/faults         the queued faults, count being what is left
//	DELETE /_fake/faults         204: no fault left
//	POST   /_fake/expire-tokens  204: every key is dead
//	GET    /_fake/requests       the request log, oldest first (?method=, ?path=, "*" a prefix),
//	                             Authorization and passwords (body, query) [redacted]
//
// The control API answers only a loopback Host or the address served, unless -allow-remote is
// given; -control-token then guards it (Authorization: Bearer <token>). It refuses a foreign
// Origin and a POST that is not JSON, so that a web page cannot drive it. The request log keeps the newest -log-limit requests, each with at most
// -log-record-size bytes of body and of header: at most limit × 2 × size bytes (10,000 × 2 ×
// 4 KiB = 81,920,000 bytes, 78 MiB, by default), however long it runs.
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

	"github.com/whippyware-go/whippyware/internal/buildinfo"
	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "whippyware-fake:", err)
		os.Exit(1)
	}
}

// A request must arrive whole within readTimeout, and an idle connection is closed after
// idleTimeout: a client that sends slowly, or keeps connections open, holds them only so long.
// Variables, so that a test can shorten them.
var readTimeout, idleTimeout = 30 * time.Second, 2 * time.Minute

// run serves until ctx ends, configured by args and the environment (getenv). It prints one
// line to stdout, with the URL actually listened on (so ":0" ports can be found).
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("whippyware-fake", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on")
	user := fs.String("user", wt.DefaultUsername, "user `name` that can log in")
	password := fs.String("password", wt.DefaultPassword, "that user's `password`")
	pageSize := fs.Int("page-size", 20, "page `size` of lists sent without limit")
	maxPageSize := fs.Int("max-page-size", 1000, "largest `limit` a list honours")
	seed := fs.Bool("seed", false, "seed the documented example records (again on each reset)")
	allowRemote := fs.Bool("allow-remote", false, "allow listening on an address that is not loopback, and control requests naming any Host (guard them with -control-token)")
	controlAPI := fs.Bool("control", true, "serve the control API under "+controlPrefix)
	logLimit := fs.Int("log-limit", 10000, "`requests` the request log keeps")
	recordSize := fs.Int("log-record-size", 4<<10, "`bytes` of body, and of header, each logged request keeps")
	byID := fs.Bool("stock-location-by-id", false, "stocks name their location by id, not by code")
	cascade := fs.Bool("cascade-delete", false, "deleting a record deletes those that use it, instead of refusing")
	token := fs.String("control-token", "", "`token` the control API wants as \"Authorization: Bearer <token>\" (better set by WHIPPYWARE_FAKE_CONTROL_TOKEN, which ps does not show)")
	version := fs.Bool("version", false, "print the version and exit")
	throttle := fs.String("throttle", "", "throttle each user's requests as DRF does, at `rate` N/s, N/m, N/h or N/d (429 with Retry-After)")
	writeThrottle := fs.String("write-throttle", "", "throttle each user's writes only (POST, PUT, PATCH, DELETE) at `rate`")
	if err := setFromEnv(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *version {
		_, err := fmt.Fprintln(stdout, "whippyware-fake", buildinfo.Version())
		return err
	}
	switch {
	case *pageSize < 1:
		return fmt.Errorf("-page-size %d: must be at least 1", *pageSize)
	case *maxPageSize < 1:
		return fmt.Errorf("-max-page-size %d: must be at least 1", *maxPageSize)
	case *logLimit < 1:
		return fmt.Errorf("-log-limit %d: the log needs a limit of at least 1", *logLimit)
	case *recordSize < 0:
		return fmt.Errorf("-log-record-size %d: may not be negative", *recordSize)
	}
	for _, f := range []struct{ name, rate string }{{"throttle", *throttle}, {"write-throttle", *writeThrottle}} {
		if _, _, err := wt.ParseThrottleRate(f.rate); f.rate != "" && err != nil {
			return fmt.Errorf("-%s: %w", f.name, err)
		}
	}
	if !*allowRemote {
		if err := requireLoopback(*addr); err != nil {
			return err
		}
	}

	// The request log serves tests; a server that runs for hours keeps only its tail.
	opts := []wt.Option{wt.WithoutListener(), wt.WithUser(*user, *password), wt.WithPageSize(*pageSize),
		wt.WithMaxPageSize(*maxPageSize), wt.WithRequestLogLimit(*logLimit), wt.WithRequestLogRecordSize(*recordSize)}
	if *seed {
		opts = append(opts, wt.WithFixtures())
	}
	if *byID {
		opts = append(opts, wt.WithStockLocationByID())
	}
	if *cascade {
		opts = append(opts, wt.WithCascadeDelete())
	}
	if *throttle != "" {
		opts = append(opts, wt.WithThrottle(*throttle))
	}
	if *writeThrottle != "" {
		opts = append(opts, wt.WithWriteThrottle(*writeThrottle))
	}
	fake := wt.NewServer(opts...) // without its own socket: served on ours below
	defer fake.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	handler := fake.Handler()
	if *controlAPI {
		handler = withControl(fake, guard{allowRemote: *allowRemote, served: ln.Addr().String(), token: *token})
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: readTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: 64 << 10}
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

// setFromEnv sets each flag from its environment variable, WHIPPYWARE_FAKE_ADDR for -addr,
// before the command line is parsed, so that the command line wins.
func setFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func envName(flagName string) string {
	return "WHIPPYWARE_FAKE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
