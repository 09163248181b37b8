package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/whippyware-go/whippyware/stocksync"
)

type syncFlags struct {
	dryRun, snapshot bool
	workers          int
	rate             float64
	report           string
}

func (a *app) syncCommand() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync [file.csv|-]",
		Short: "Make the service's stock match a CSV of sku,provider,location,quantity",
		Long: "Read a CSV (a file, or standard input for - or no argument) of sku,provider,location,quantity\n" +
			"[,stock_type,reserved_stock,unit_type,period], with an optional header naming the columns,\n" +
			"read the current stock of its providers once, and write only the rows that differ.\n" +
			"Progress goes to standard error: a bar on a terminal, a line every tenth otherwise.",
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
	flags.IntVar(&f.workers, "workers", stocksync.DefaultWorkers, "writes in flight at most")
	flags.Float64Var(&f.rate, "rate", 0, "writes and lookups per second at most, shared by the workers (0: no limit until the service answers 429)")
	flags.StringVar(&f.report, "report", "", "write the report (or, with --dry-run, the plan) as JSON to this file")
	return cmd
}

func (a *app) sync(cmd *cobra.Command, file string, f syncFlags) error {
	if f.workers < 1 {
		return fmt.Errorf("--workers must be at least 1")
	}
	if f.rate < 0 {
		return fmt.Errorf("--rate may not be negative")
	}
	client, err := a.client()
	if err != nil {
		return err
	}
	in := a.stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return err
		}
		defer fh.Close()
		in = fh
	}
	progress := a.progress()
	syncer, err := stocksync.New(client, stocksync.Options{Snapshot: f.snapshot, Workers: f.workers, Rate: f.rate, Progress: progress.update})
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	plan, err := syncer.Plan(ctx, stocksync.ReadCSV(in))
	if err != nil {
		return err
	}
	if f.dryRun {
		if _, err := plan.WriteTo(a.stdout); err != nil {
			return err
		}
		if err := writeJSONFile(f.report, plan); err != nil {
			return err
		}
		if len(plan.Invalid) > 0 {
			return exitError{exitRowsFailed}
		}
		return nil
	}
	progress.start(len(plan.Changes))
	report, applyErr := syncer.Apply(ctx, plan)
	progress.finish()
	if err := report.WriteSummary(a.stdout); err != nil {
		return err
	}
	if err := writeJSONFile(f.report, report); err != nil {
		return err
	}
	switch {
	case applyErr != nil:
		return applyErr
	case !report.OK():
		return exitError{exitRowsFailed}
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// progressView shows a sync's progress on stderr: a bar when stderr is a terminal, else a
// plain line each time another tenth of the writes is finished, for a cron job's log.
type progressView struct {
	w       io.Writer
	bar     *progressbar.ProgressBar
	planned int
	tenths  int
}

func (a *app) progress() *progressView {
	return &progressView{w: a.stderr}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progressView) start(planned int) {
	p.planned = planned
	if isTerminal(p.w) && planned > 0 {
		p.bar = progressbar.NewOptions(planned, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("sync"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(),
			progressbar.OptionClearOnFinish())
	}
}

func (p *progressView) update(s stocksync.Progress) {
	finished := s.Done + s.Failed
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("sync (%d failed, %d requests, %s)", s.Failed, s.Requests, rateText(s.Rate)))
		_ = p.bar.Set(finished)
		return
	}
	if tenths := finished * 10 / max(p.planned, 1); tenths > p.tenths {
		p.tenths = tenths
		fmt.Fprintf(p.w, "sync: %d/%d written, %d failed, %d requests, %s\n", finished, p.planned, s.Failed, s.Requests, rateText(s.Rate))
	}
}

func (p *progressView) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func rateText(r float64) string {
	if r == 0 {
		return "no rate limit"
	}
	return fmt.Sprintf("limit %.1f req/s", r)
}
