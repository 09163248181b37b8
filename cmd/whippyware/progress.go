package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/whippyware-go/whippyware/stocksync"
)

// redrawEvery is the shortest time between two draws of the bar: about ten a second,
// which reads as live; drawing per row wrote megabytes to the terminal and slowed the run.
const redrawEvery = 100 * time.Millisecond

// progressView shows a sync's progress on stderr: a bar when stderr is a terminal, else a
// plain line each time another tenth of the rows is finished, for a cron job's log. Its
// counts are the summary's: rows written, failed (invalid input rows included) and left,
// which add up to the planned writes and the invalid rows.
type progressView struct {
	w        io.Writer
	terminal bool
	now      func() time.Time
	workers  int

	mu      sync.Mutex // the interrupt handler reads last while workers update it
	bar     *progressbar.ProgressBar
	last    stocksync.Progress
	started bool
	drawn   time.Time
	tenths  int
}

func (a *app) progress(workers int) *progressView {
	return &progressView{w: a.stderr, terminal: isTerminal(a.stderr), now: time.Now, workers: workers}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// start shows the plan's counts: the invalid rows have failed already.
func (p *progressView) start(planned, invalid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = stocksync.Progress{Planned: planned, Left: planned, Failed: invalid, Invalid: invalid}
	p.started = true
	total := planned + invalid
	if p.terminal && total > 0 {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(), progressbar.OptionClearOnFinish(),
			// draw's Describe renders the bar and Set would render it again at once: the
			// bar's own throttle keeps one repaint per draw.
			progressbar.OptionThrottle(redrawEvery))
	}
	p.draw(true)
}

func (p *progressView) update(s stocksync.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = s
	p.draw(false)
}

// draw redraws the bar at most every redrawEvery (always when force), or prints a line
// when another tenth is finished.
func (p *progressView) draw(force bool) {
	s := p.last
	total := s.Planned + s.Invalid
	finished := s.Done + s.Failed
	if p.bar != nil {
		now := p.now()
		if !force && now.Sub(p.drawn) < redrawEvery {
			return
		}
		p.drawn = now
		p.bar.Describe(p.counts())
		_ = p.bar.Set(finished)
		return
	}
	if total == 0 {
		return
	}
	if tenths := finished * 10 / total; tenths > p.tenths {
		p.tenths = tenths
		fmt.Fprintf(p.w, "sync: %s\n", p.counts())
	}
}

// counts is one line of counts: "3 written, 1 failed, 6 left of 10; 5 requests, no rate limit".
func (p *progressView) counts() string {
	s := p.last
	return fmt.Sprintf("%d written, %d failed, %d left of %d; %d requests, %s",
		s.Done, s.Failed, s.Left, s.Planned+s.Invalid, s.Requests, rateText(s.Rate))
}

// inFlight is how many writes are in flight: every worker holds one while rows are left.
func (p *progressView) inFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return 0
	}
	return min(p.workers, p.last.Left)
}

// known is the progress the sync last reported: the report of a run stopped at once takes
// its requests and rate from it.
func (p *progressView) known() stocksync.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func (p *progressView) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.draw(true)
		_ = p.bar.Finish()
	}
}

func rateText(r float64) string {
	if r == 0 {
		return "no rate limit"
	}
	return fmt.Sprintf("limit %.1f req/s", r)
}
