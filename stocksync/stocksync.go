// Package stocksync makes Whippy Ware's stock match an ERP's: it reads the desired rows
// (streamed, e.g. from a CSV with ReadCSV), reads the current stock of each provider (its
// pages, or the input's keys when that costs fewer requests), and writes only what
// differs, with bounded concurrency under one shared rate limit.
//
// A stock row is identified by sku, provider, location and stock_type (default
// "standard"): two rows may share sku, provider and location when their stock types
// differ, so every lookup and every key here uses all four.
//
// # Exactly once without idempotency keys
//
// The service has no idempotency key, so a create is never resent blindly: after a create
// that got no clear answer (a 5xx, a dropped connection, an unreadable answer) the row is
// looked up by its full key, and created again only if it is not there. An update writes
// absolute values, so it is safe to resend. A run that is interrupted can be run again:
// it plans from what the service holds, so it converges without duplicate rows.
//
// # Reading the current stock
//
// A plan reads the first page of each provider's current stock (narrowed to the location
// when the input names only one). Its count estimates the rest: when looking the input's
// other keys up, one request each filtered by all four fields, costs fewer requests than
// the remaining pages, the plan looks them up (an ERP that sends what changed pays a few
// requests, not a read of the whole store); otherwise it reads the other pages, several at
// a time, then follows the next links from the last until there are none (count is only
// an estimate: the links decide, and a page past the end is 404 "Invalid page."). A row
// seen twice, as when the store changes between pages, is planned once. Snapshot mode
// reads every page. A lookup that answers a row of another key means the service ignores
// a filter: the plan then reads every page instead. Plan.Reads says which way each
// provider was read, and why.
//
// # Pace
//
// Every request of a Syncer (page reads, lookups, writes) waits on one rate limit, with
// the client's own retries off so that each answer comes back to it. The limit finds the
// service's rate from its answers: a 429 pauses every worker for its Retry-After, and
// sets the rate to the rate at which the service accepted requests over the last second,
// less a small margin; the other 429s of the same moment (for requests sent before that
// cut) do not cut again. The rate then returns quickly to just under where it was, and
// rises slowly from there, never above Options.Rate. Progress.Rate and Report.Rate give
// the current limit (0: none).
//
// # Snapshot mode
//
// With Options.Snapshot the input is the whole stock of the providers it names: rows of
// those providers that the input does not list are set to 0. They are not deleted: a
// deleted row loses its reserved stock and history, and a missing row and a row at 0 read
// the same to the stock lists, while a zero is undone by the next sync that lists the row.
//
// Zeroing is guarded, because what is missing from an input may be missing by accident
// (an export cut short, a file of the wrong day):
//
//   - A row the input lists is never zeroed, even when its line is invalid (a quantity
//     like 1.500): its key is known, and the row keeps what it holds. When a line's key
//     cannot be read whole (not UTF-8, too long, too few or too many fields), no row of
//     its provider is zeroed, nor of any provider when the provider cannot be read
//     (Plan.UnkeyedRows).
//   - An input with any invalid row zeroes nothing (Options.ZeroDespiteInvalid zeroes
//     anyway); its valid rows are still written.
//   - A snapshot that would zero more of a provider's rows than Options.MaxZero allows
//     (by default DefaultMaxZero: 10% of the rows that hold stock, or up to 20 rows when
//     that is more, but at most half of them) writes nothing at all: Plan.Refused names
//     the provider and the counts, and Apply returns an error wrapping ErrTooManyZeroes.
//
// The input is read to its end before anything is zeroed, but a reader cannot tell an
// input that ends because its producer failed: `erp-export | whippyware sync --snapshot -`
// takes a short export for a whole one. Write the export to a file under
// `set -o pipefail`, and sync the file only when the export succeeded.
//
// # Input
//
// ReadCSV wants UTF-8 and refuses a line that is not (a *RowError whose reason is an
// *EncodingError with the byte offset), rather than send U+FFFD, which merges two SKUs
// into one; WithEncoding and EncodingByName read a Windows code page or UTF-16. A line
// longer than WithMaxLineBytes is one invalid line, read in pieces and never held whole.
//
// Keys are changed as the service changes them: it strips a text field as Python's
// str.strip() does (the separators U+001C to U+001F included) and refuses a NUL and a
// value longer than its max_length. A row is stripped or refused here the same way
// (Options.MaxLengths, the fake's lengths by default), so that it converges on the
// second run, or is refused on every run with the reason, instead of being created again
// on every run.
//
// # Scale and memory
//
// Each provider's plan is independent: a store too large for one process is synced by
// one process per provider (Options.Providers, the command's --provider), for example a
// Kubernetes CronJob per provider, each with concurrencyPolicy: Forbid. A plan holds the
// input compactly while the current stock streams past it, and per change only what the
// write and the report need; Options.OnOutcome streams the outcomes instead of keeping
// them, and only the first Options.MaxInvalidListed invalid rows are kept (all are
// counted).
package stocksync

import (
	"context"
	"fmt"

	"github.com/whippyware-go/whippyware"
)

// Defaults of Options.
const (
	// DefaultPageSize is the largest page the service and the fake serve (their max limit).
	DefaultPageSize = 1000
	// DefaultWorkers is how many writes are in flight at once.
	DefaultWorkers = 4
	// DefaultMaxAttempts is how many times one row is tried before it is reported failed.
	DefaultMaxAttempts = 4
)

// Options configure a Syncer. The zero value is usable.
type Options struct {
	// Snapshot zeroes the rows of the input's providers that the input does not list.
	Snapshot bool
	// Workers is the number of requests in flight at most: writes, and a plan's page
	// reads and lookups (DefaultWorkers when 0).
	Workers int
	// Rate is the most requests per second the syncer may send: page reads, lookups and
	// writes, of every Plan, Apply and Sync of the syncer, which share the service's
	// throttle; 0 means no limit until the service answers 429. Either way a 429 pauses
	// every worker for its Retry-After and sets the rate to the one the service was seen
	// to accept; the rate then grows back, never above Rate.
	Rate float64
	// PageSize is the page size of the reads of current stock (DefaultPageSize when 0). A
	// service that serves less per page is still read whole, at its own page size.
	PageSize int
	// MaxAttempts is how many times one row is tried (DefaultMaxAttempts when 0).
	MaxAttempts int
	// Progress, when set, is called after each row is done or failed, never from two
	// goroutines at once. It must return quickly: workers wait for it.
	Progress func(Progress)

	// MaxZero bounds the rows of one provider a snapshot may zero (DefaultMaxZero when
	// nil); past it the snapshot writes nothing. ParseZeroLimit reads "25%" or "500".
	MaxZero *ZeroLimit
	// ZeroDespiteInvalid lets a snapshot zero rows although some input rows are invalid;
	// by default any invalid row makes it zero nothing.
	ZeroDespiteInvalid bool
	// Providers, when set, limits the sync to these provider codes: rows of other
	// providers are skipped and counted in Plan.Skipped. One process per provider syncs
	// a large store in parallel.
	Providers []string
	// MaxLengths are the longest texts the service stores (the fake's when zero). A row
	// with a longer one is refused with the service's message, without a request.
	MaxLengths Lengths
	// MaxInvalidListed is how many invalid input rows a plan and its report keep
	// (DefaultMaxInvalidListed when 0, none when negative); all are counted.
	MaxInvalidListed int
	// BeforeRead, when set, is called once the input is read, with the providers whose
	// stock the plan is about to read (sorted), before it reads any; an error ends the
	// plan. The command takes its per-provider locks here.
	BeforeRead func(ctx context.Context, providers []string) error
	// OnOutcome, when set, is called with every outcome as it is known, never from two
	// goroutines at once: the listed invalid rows when Apply starts, then each write as
	// it finishes. Report.Outcomes then keeps only the failed rows, so that memory does
	// not grow with the writes.
	OnOutcome func(Outcome)
}

// DefaultMaxInvalidListed is how many invalid input rows a plan keeps by default.
const DefaultMaxInvalidListed = 100

// Progress is the state of a run, handed to Options.Progress.
type Progress struct {
	// Planned is the number of writes in the plan. Done counts those written (and the
	// rare create that found the row made as asked by another run, which the report
	// counts as unchanged); Failed counts those that failed and the invalid input rows
	// (Invalid of them), as Report.Failed does. Left is Planned - Done - (Failed - Invalid).
	Planned, Done, Failed, Invalid, Left int
	// Requests counts the requests sent, reads of the plan included.
	Requests int
	// Rate is the current limit in requests per second, as the limiter has learned it
	// from the service's answers (0 for none).
	Rate float64
}

// Syncer syncs stock through one client. It is safe for concurrent use; each Sync, Plan
// and Apply is independent.
type Syncer struct {
	client  *whippyware.Client
	opts    Options
	limiter *adaptiveLimiter // shared by every call: the service throttles per user
}

// New returns a Syncer that reads and writes through client.
func New(client *whippyware.Client, opts Options) (*Syncer, error) {
	switch {
	case client == nil:
		return nil, fmt.Errorf("stocksync: a nil client")
	case opts.Workers < 0, opts.PageSize < 0, opts.MaxAttempts < 0, opts.Rate < 0:
		return nil, fmt.Errorf("stocksync: Workers, PageSize, MaxAttempts and Rate may not be negative")
	}
	if opts.MaxZero != nil {
		if err := opts.MaxZero.valid(); err != nil {
			return nil, err
		}
	}
	if opts.MaxInvalidListed == 0 {
		opts.MaxInvalidListed = DefaultMaxInvalidListed
	}
	opts.MaxLengths = opts.MaxLengths.withDefaults()
	if opts.Workers == 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.PageSize == 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	return &Syncer{client: client, opts: opts, limiter: newAdaptiveLimiter(opts.Rate)}, nil
}
