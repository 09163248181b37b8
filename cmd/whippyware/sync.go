package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware/stocksync"
)

// exitRefused is the exit status of a snapshot that a guard refused: nothing was written.
const exitRefused = 3

type syncFlags struct {
	dryRun, snapshot   bool
	workers            int
	rate               float64
	report             string
	maxZero            string
	zeroDespiteInvalid bool
	encoding           string
	delimiter          string
	maxLineBytes       int
	providers          []string
	showInvalid        int
	lockDir            string
	noLock             bool
	lockWait           time.Duration
}

func (a *app) syncCommand() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync [file.csv|-]",
		Short: "Make the service's stock match a CSV of sku,provider,location,quantity",
		Long: "Read a CSV (a file, or standard input for - or no argument) of sku,provider,location,quantity\n" +
			"[,stock_type,reserved_stock,unit_type,period], with an optional header naming the columns\n" +
			"(id, created_date and modified_date, as `stocks list -o csv` may write, are skipped), read the\n" +
			"current stock of its providers once, and write only the rows that differ.\n\n" +
			"The file must be UTF-8 unless --encoding names another (windows-1254, iso-8859-9, utf-16, ...).\n" +
			"The delimiter is found from the first line (, ; or tab) unless --delimiter sets it.\n\n" +
			"--snapshot zeroes the rows of the file's providers that it does not list, guarded: a row the\n" +
			"file lists is never zeroed, a file with any invalid line zeroes nothing (unless\n" +
			"--zero-despite-invalid), and a snapshot that would zero more than --max-zero of a provider's\n" +
			"rows writes nothing and exits 3. A pipe cannot tell a producer that failed from one that\n" +
			"ended: under `set -o pipefail`, write the export to a file first and sync the file.\n\n" +
			"One sync per (service, provider) runs at a time on a machine: a second waits --lock-wait or\n" +
			"exits 2. Runs on different machines do not see each other's locks: schedule each provider in one\n" +
			"place (a Kubernetes CronJob with concurrencyPolicy: Forbid). --provider syncs only some providers\n" +
			"of a larger file: one process (or CronJob) per provider scales a large store.\n\n" +
			"Progress goes to standard error: a bar on a terminal, a line every tenth otherwise. Ctrl-C\n" +
			"waits up to 10 s for the writes in flight; a second Ctrl-C stops at once.\n\n" +
			"Exit status: 0 when every row is done, 1 when some rows failed, 2 when it could not run,\n" +
			"3 when a snapshot guard refused (nothing written).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := "-" // the brackets of the usage: no argument reads standard input, as "-"
			if len(args) == 1 {
				file = args[0]
			}
			return a.sync(cmd, file, f)
		},
	}
	flags := cmd.Flags()
	flags.BoolVar(&f.dryRun, "dry-run", false, "print the plan and write nothing")
	flags.BoolVar(&f.snapshot, "snapshot", false, "the file is the whole stock of its providers: set rows it does not list to 0")
	flags.StringVar(&f.maxZero, "max-zero", "", "with --snapshot, the most rows of one provider to zero: a share (25%) or a number (500);\ndefault 10% of its rows with stock, or up to 20 rows, at most half")
	flags.BoolVar(&f.zeroDespiteInvalid, "zero-despite-invalid", false, "with --snapshot, zero rows even when some lines of the file are invalid")
	flags.IntVar(&f.workers, "workers", stocksync.DefaultWorkers, "writes in flight at most")
	flags.Float64Var(&f.rate, "rate", 0, "writes and lookups per second at most, shared by the workers (0: no limit until the service answers 429)")
	flags.StringVar(&f.report, "report", "", "write the report (or, with --dry-run, the plan) as JSON to this file (mode 0600)")
	flags.StringVar(&f.encoding, "encoding", "utf-8", "the file's encoding: utf-8, windows-1254, iso-8859-9, utf-16 (with a byte order mark), ...")
	flags.StringVar(&f.delimiter, "delimiter", "", `the field delimiter: ",", ";", "tab", or another character (default: found from the first line)`)
	flags.IntVar(&f.maxLineBytes, "max-line-bytes", stocksync.DefaultMaxLineBytes, "the longest line read; a longer one is an invalid line")
	flags.StringArrayVar(&f.providers, "provider", nil, "sync only this provider's rows (its code; repeat for more)")
	flags.IntVar(&f.showInvalid, "show-invalid", stocksync.DefaultMaxInvalidListed, "how many invalid lines to list (all are counted)")
	flags.StringVar(&f.lockDir, "lock-dir", "", "directory of the lock files (default $XDG_RUNTIME_DIR/whippyware, else the user's cache directory)")
	flags.BoolVar(&f.noLock, "no-lock", false, "take no lock: another sync of the same providers may run at once")
	flags.DurationVar(&f.lockWait, "lock-wait", 0, "how long to wait for another sync of the same providers to end (0: exit at once)")
	return cmd
}

// syncSettings are the flags checked and read, before the first request.
type syncSettings struct {
	opts     stocksync.Options
	read     []stocksync.ReadOption
	in       io.Reader
	closeIn  func()
	report   *reportFile
	lockDir  string
	lockWait time.Duration
}

// settings checks every flag and opens the input and the report file, so that a mistake
// is found before anything is read from or written to the service.
func (a *app) syncSettings(file string, f syncFlags) (*syncSettings, error) {
	s := &syncSettings{closeIn: func() {}, lockWait: f.lockWait}
	switch {
	case f.workers < 1:
		return nil, fmt.Errorf("--workers must be at least 1")
	case f.rate < 0:
		return nil, fmt.Errorf("--rate may not be negative")
	case f.showInvalid < 0:
		return nil, fmt.Errorf("--show-invalid may not be negative")
	case f.maxLineBytes < 1:
		return nil, fmt.Errorf("--max-line-bytes must be at least 1")
	case f.lockWait < 0:
		return nil, fmt.Errorf("--lock-wait may not be negative")
	case (f.maxZero != "" || f.zeroDespiteInvalid) && !f.snapshot:
		return nil, fmt.Errorf("--max-zero and --zero-despite-invalid apply to --snapshot only")
	}
	s.opts = stocksync.Options{Snapshot: f.snapshot, Workers: f.workers, Rate: f.rate, ZeroDespiteInvalid: f.zeroDespiteInvalid,
		MaxInvalidListed: f.showInvalid, Providers: f.providers}
	if f.showInvalid == 0 {
		s.opts.MaxInvalidListed = -1 // stocksync reads 0 as its default, and less as none
	}
	if f.maxZero != "" {
		limit, err := stocksync.ParseZeroLimit(f.maxZero)
		if err != nil {
			return nil, fmt.Errorf("--max-zero %q: give a share like 25%% or a number of rows like 500", f.maxZero)
		}
		s.opts.MaxZero = &limit
	}
	for _, p := range f.providers {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("--provider may not be empty")
		}
	}
	enc, err := stocksync.EncodingByName(f.encoding)
	if err != nil {
		return nil, fmt.Errorf("--encoding %q: unknown; try utf-8, windows-1254, iso-8859-9 or utf-16", f.encoding)
	}
	if enc != nil {
		s.read = append(s.read, stocksync.WithEncoding(enc))
	}
	s.read = append(s.read, stocksync.WithMaxLineBytes(f.maxLineBytes))
	switch d := f.delimiter; {
	case d == "":
	case d == "tab" || d == `\t` || d == "\t":
		s.read = append(s.read, stocksync.WithDelimiter('\t'))
	case len(d) == 1 && d != `"` && d != "\n" && d != "\r":
		s.read = append(s.read, stocksync.WithDelimiter(d[0]))
	default:
		return nil, fmt.Errorf(`--delimiter %q: give one character, such as ",", ";" or "tab"`, d)
	}
	if !f.noLock && !f.dryRun {
		s.lockDir = f.lockDir
		if s.lockDir == "" {
			if s.lockDir, err = defaultLockDir(a.getenv); err != nil {
				return nil, err
			}
		}
	}
	s.in = a.stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		s.in, s.closeIn = fh, func() { fh.Close() }
	} else if isTerminal(a.stdin) {
		fmt.Fprintln(a.stderr, "whippyware sync: reading CSV from the terminal; end it with Ctrl-D, or give a file (whippyware sync stock.csv)")
	}
	if s.report, err = createReport(f.report, s.in); err != nil {
		s.closeIn()
		return nil, err
	}
	return s, nil
}

func (a *app) sync(cmd *cobra.Command, file string, f syncFlags) error {
	start := time.Now() // the summary's time counts the plan's reads too
	s, err := a.syncSettings(file, f)
	if err != nil {
		return err
	}
	defer s.closeIn()
	client, err := a.client()
	if err != nil {
		s.report.discard()
		return err
	}
	if s.lockDir != "" {
		l, err := newLocker(s.lockDir, client.BaseURL(), s.lockWait)
		if err != nil {
			s.report.discard()
			return err
		}
		defer l.unlock()
		s.opts.BeforeRead = l.lock
	}
	progress := a.progress(f.workers)
	tally := &tally{report: s.report}
	s.opts.Progress = progress.update
	if !f.dryRun {
		s.opts.OnOutcome = tally.add
	}
	syncer, err := stocksync.New(client, s.opts)
	if err != nil {
		s.report.discard()
		return err
	}
	ctx := cmd.Context()
	interrupts := interruptsOf(ctx)
	interrupts.onInterrupt(func() {
		if n := progress.inFlight(); n > 0 {
			writes := "writes"
			if n == 1 {
				writes = "write"
			}
			fmt.Fprintf(a.stderr, "\nwhippyware: waiting up to 10 s for %d %s in flight; Ctrl-C again to stop now\n", n, writes)
		} else {
			fmt.Fprintf(a.stderr, "\nwhippyware: stopping; Ctrl-C again to stop now\n")
		}
	})
	plan, err := syncer.Plan(ctx, stocksync.ReadCSV(s.in, s.read...))
	if err != nil {
		s.report.discard() // nothing was written: no report rather than an empty one
		return err
	}
	if f.dryRun {
		if _, err := plan.WriteTo(a.stdout); err != nil {
			return err
		}
		if err := s.report.whole(plan); err != nil {
			return err
		}
		switch {
		case len(plan.Refused) > 0:
			return exitError{exitRefused}
		case plan.InvalidRows > 0:
			return exitError{exitRowsFailed}
		}
		return nil
	}

	progress.start(plan.Len(), plan.InvalidRows)
	type applied struct {
		report *stocksync.Report
		err    error
	}
	done := make(chan applied, 1)
	go func() {
		rep, err := syncer.Apply(ctx, plan)
		done <- applied{rep, err}
	}()
	var report *stocksync.Report
	var applyErr error
	select {
	case res := <-done:
		report, applyErr = res.report, res.err
		progress.finish()
	case <-interrupts.stop():
		// Stop now: report what is known; the writes in flight may or may not have been
		// applied, and a rerun converges.
		inFlight := progress.inFlight()
		report = tally.known(plan)
		last := progress.known()
		report.Requests, report.Rate = max(report.Requests, last.Requests), last.Rate
		applyErr = fmt.Errorf("stopped at the second Ctrl-C: %d writes were in flight and may or may not have been applied; run again to finish", inFlight)
	}
	report.Duration = time.Since(start)
	if err := report.WriteSummary(a.stdout); err != nil {
		return err
	}
	if err := s.report.finish(report); err != nil {
		return err
	}
	switch {
	case errors.Is(applyErr, stocksync.ErrTooManyZeroes):
		fmt.Fprintf(a.stderr, "whippyware: %s\n", strings.TrimPrefix(applyErr.Error(), "stocksync: "))
		return exitError{exitRefused}
	case applyErr != nil:
		return applyErr
	case !report.OK():
		return exitError{exitRowsFailed}
	}
	return nil
}

// tally counts the outcomes as they stream to the report file, so that a run stopped at
// once can still say what it did.
type tally struct {
	report *reportFile
	mu     sync.Mutex
	counts map[stocksync.Result]int
	failed []stocksync.Outcome
}

func (t *tally) add(o stocksync.Outcome) {
	t.report.outcome(o)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[stocksync.Result]int{}
	}
	t.counts[o.Result]++
	if o.Result == stocksync.Failed {
		t.failed = append(t.failed, o)
	}
}

// known is the report of what is known of a run stopped before Apply returned.
func (t *tally) known(plan *stocksync.Plan) *stocksync.Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	failedWrites := t.counts[stocksync.Failed] - len(plan.Invalid)
	rep := &stocksync.Report{Created: t.counts[stocksync.Created], Updated: t.counts[stocksync.Updated],
		Zeroed: t.counts[stocksync.Zeroed], Unchanged: plan.Unchanged, Superseded: plan.Superseded,
		Failed: plan.InvalidRows + failedWrites, InvalidRows: plan.InvalidRows, InvalidListed: len(plan.Invalid), Skipped: plan.Skipped,
		ZeroesWithheld: plan.ZeroesWithheld, UnkeyedRows: plan.UnkeyedRows, Requests: plan.Requests, Outcomes: append([]stocksync.Outcome{}, t.failed...)}
	rep.NotDone = plan.Len() - rep.Created - rep.Updated - rep.Zeroed - failedWrites
	return rep
}
