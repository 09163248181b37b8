package stocksync

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/whippyware-go/whippyware"
)

// ReadMode is how a plan read the current stock of one provider.
type ReadMode string

// The ways to read a provider's current stock.
const (
	// ReadPages reads every page of the provider's stock.
	ReadPages ReadMode = "pages"
	// ReadLookups reads the first page, then looks each input key it did not hold up
	// with one request filtered by the key's four fields.
	ReadLookups ReadMode = "lookups"
)

// Read says how a plan read the current stock of one provider, and why.
type Read struct {
	Provider string   `json:"provider"`
	Mode     ReadMode `json:"mode"`
	// Pages is the number of pages the first page's count made of the provider's stock:
	// 1 when it held it all, and the choice was not to make.
	Pages int `json:"pages"`
	// Reason gives the numbers the choice compared.
	Reason string `json:"reason"`
}

// reader reads the current stock for one Plan: it owns the index while it does, and
// keeps what the rows read change.
type reader struct {
	s      *Syncer
	sender *sender
	ix     *index
	plan   *Plan
	// changes are the updates, each with its input position; zeroes the rows a
	// snapshot sets to 0, possibly twice when the store changed between two pages.
	changes []Change
	zeroes  []Change
	// held counts the input's rows read with stock per provider, for the snapshot guard;
	// Plan adds the zeroes, the others, once it has dropped a row read twice.
	held map[string]int
}

// errFilterIgnored ends the lookups of a provider: the service answered a lookup with a
// row of another key, so it ignores one of the filters, and only the pages can be trusted.
var errFilterIgnored = errors.New("the service ignored a lookup's filter")

// readProvider reads the current stock of provider: the first page, then either the
// other pages or the input's keys the first page did not hold, whichever costs fewer
// requests (snapshot mode needs every row, so it reads every page).
func (rd *reader) readProvider(ctx context.Context, provider string, locations map[string]bool) error {
	filter := whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: rd.s.opts.PageSize}, Provider: provider}
	if len(locations) == 1 && !rd.s.opts.Snapshot {
		for loc := range locations {
			filter.Location = loc // one location: read only its stock
		}
	}
	first, err := rd.page(ctx, filter, 1)
	if err != nil {
		return err
	}
	if first == nil {
		return fmt.Errorf("%w: the first page of the list is not found", whippyware.ErrUnexpectedResponse)
	}
	if err := checkLinks(first, 1); err != nil {
		return err
	}
	rd.take(provider, first.Results)
	read := Read{Provider: provider, Mode: ReadPages, Pages: 1}
	if first.Next == "" {
		read.Reason = "one page holds it"
		rd.plan.Reads = append(rd.plan.Reads, read)
		return nil
	}
	// count is an estimate (the links decide where the list ends), and a service may
	// serve fewer rows a page than asked: the first page's size is the page size.
	pages := max((first.Count+len(first.Results)-1)/len(first.Results), 2)
	read.Pages = pages
	var unseen int
	var keys []Key
	if !rd.s.opts.Snapshot {
		unseen, keys = rd.ix.unseen(provider, pages-1)
	}
	switch {
	case rd.s.opts.Snapshot:
		read.Reason = fmt.Sprintf("a snapshot needs every row: %d pages of about %d rows", pages, first.Count)
	case unseen >= pages-1:
		read.Reason = fmt.Sprintf("reading the %d other pages (about %d rows) costs no more requests than looking up %d keys",
			pages-1, first.Count, unseen)
	default:
		read.Mode = ReadLookups
		read.Reason = fmt.Sprintf("looking up %d keys costs fewer requests than reading the %d other pages (about %d rows)",
			unseen, pages-1, first.Count)
		err := rd.lookUpKeys(ctx, provider, keys)
		if !errors.Is(err, errFilterIgnored) {
			rd.plan.Reads = append(rd.plan.Reads, read)
			return err
		}
		read.Mode = ReadPages
		read.Reason = fmt.Sprintf("%s, so every page is read: %d pages of about %d rows", err, pages, first.Count)
	}
	rd.plan.Reads = append(rd.plan.Reads, read)
	return rd.readPages(ctx, provider, filter, pages)
}

// readPages reads pages 2 to pages, Options.Workers at once, then follows the next link
// from the last page until there is none: count is an estimate, the links decide. A 404
// ("Invalid page.") is a page past the end.
func (rd *reader) readPages(ctx context.Context, provider string, filter whippyware.StockFilter, pages int) error {
	var last *whippyware.Page[whippyware.Stock]
	lastNumber := 1
	err := parallel(ctx, rd.s.opts.Workers, pages-1, false,
		func(ctx context.Context, i int) (*whippyware.Page[whippyware.Stock], error) {
			return rd.page(ctx, filter, i+2)
		},
		func(i int, p *whippyware.Page[whippyware.Stock], err error) error {
			if err != nil || p == nil {
				return err // nil: past the end, the store holds fewer rows than counted
			}
			rd.take(provider, p.Results)
			if i+2 > lastNumber {
				last, lastNumber = p, i+2
			}
			return nil
		})
	if err != nil {
		return err
	}
	for last != nil && last.Next != "" {
		lastNumber++
		if last, err = rd.page(ctx, filter, lastNumber); err != nil {
			return err
		}
		if last == nil {
			return nil // past the end
		}
		if err := checkLinks(last, lastNumber); err != nil {
			return err
		}
		rd.take(provider, last.Results)
	}
	return nil
}

// checkLinks refuses a page that has no rows but links to a next one: followed, it could
// be read for ever.
func checkLinks(p *whippyware.Page[whippyware.Stock], number int) error {
	if len(p.Results) == 0 && p.Next != "" {
		return fmt.Errorf("%w: page %d has no results but links to a next page", whippyware.ErrUnexpectedResponse, number)
	}
	return nil
}

// page reads page number n of filter's list; nil when the service answers 404 "Invalid
// page." for a page after the first (DRF's answer past the end). Any other 404 (a proxy's,
// a route gone) is an error: taken for the end, a snapshot would zero the rows of the
// pages not read. A 429 or an unclear answer is read again, within Options.MaxAttempts.
func (rd *reader) page(ctx context.Context, filter whippyware.StockFilter, n int) (*whippyware.Page[whippyware.Stock], error) {
	if n > 1 {
		filter.Page = n // the first page is asked for without, as DRF's own links do
	}
	var page *whippyware.Page[whippyware.Stock]
	b := newBudget(rd.s.opts.MaxAttempts)
	v, err := rd.sender.read(ctx, &b, func(ctx context.Context) (resp *whippyware.Response, err error) {
		page, resp, err = rd.s.client.Stocks.List(ctx, &filter, whippyware.WithoutCallRetries())
		return resp, err
	})
	switch {
	case v == answered:
		return page, nil
	case v == missing && n > 1 && isInvalidPage(err):
		return nil, nil
	}
	return nil, err
}

// isInvalidPage reports whether err is DRF's 404 for a page number past the last.
func isInvalidPage(err error) bool {
	var apiErr *whippyware.APIError
	return errors.As(err, &apiErr) && apiErr.Detail == "Invalid page."
}

// lookUpKeys looks keys up, Options.Workers at once, and takes the row each finds. It
// stops with errFilterIgnored when a lookup answers a row of another key.
func (rd *reader) lookUpKeys(ctx context.Context, provider string, keys []Key) error {
	return parallel(ctx, rd.s.opts.Workers, len(keys), false,
		func(ctx context.Context, i int) (*whippyware.Stock, error) {
			b := newBudget(rd.s.opts.MaxAttempts)
			var st *whippyware.Stock
			var ignored bool
			_, err := rd.sender.read(ctx, &b, func(ctx context.Context) (resp *whippyware.Response, err error) {
				st, ignored, resp, err = lookUp(ctx, rd.s.client, keys[i])
				return resp, err
			})
			if err == nil && ignored {
				err = errFilterIgnored
			}
			return st, err
		},
		func(_ int, st *whippyware.Stock, err error) error {
			if err == nil && st != nil {
				rd.take(provider, []*whippyware.Stock{st})
			}
			return err
		})
}

// lookUp reads the row with key k: one GET filtered by its four fields, nil when there is
// none. ignored tells that a row of another key came back: the service ignored a filter
// (the sku and stock_type filters follow the convention, not the reference).
func lookUp(ctx context.Context, client *whippyware.Client, k Key) (st *whippyware.Stock, ignored bool, resp *whippyware.Response, err error) {
	page, resp, err := client.Stocks.List(ctx, &whippyware.StockFilter{
		ListOptions: whippyware.ListOptions{Limit: 10},
		SKU:         k.SKU, Provider: k.Provider, Location: k.Location, StockType: k.StockType,
	}, whippyware.WithoutCallRetries())
	if err != nil {
		return nil, false, resp, err
	}
	for _, row := range page.Results {
		switch {
		case row == nil:
		case keyOf(row) == k:
			st = row
		default:
			ignored = true
		}
	}
	return st, ignored, resp, nil
}

// take plans the rows read of provider: an update for an input row that differs, a zero
// for a row a snapshot does not list. A row seen before (the store changed between two
// pages, or a lookup found it) is planned once.
func (rd *reader) take(provider string, rows []*whippyware.Stock) {
	for _, st := range rows {
		if st == nil {
			continue
		}
		rd.plan.StocksRead++
		if st.Provider != provider {
			continue // a service that ignored the filter: not this provider's row
		}
		k, d, ok := rd.ix.lookup(st)
		if st.Stock != 0 && ok && !d.seen {
			rd.held[provider]++ // a row the input does not list is counted as a zero, once (Plan)
		}
		switch {
		case ok && d.seen:
			// Planned already.
		case ok && d.invalid:
			// An invalid input row names it: left as it is.
		case ok:
			if c, changed := diff(st, rd.ix.row(k, d)); changed {
				c.seq = d.seq
				rd.changes = append(rd.changes, c)
			} else {
				rd.plan.Unchanged++
			}
		case rd.s.opts.Snapshot && st.Stock != 0:
			rd.zeroes = append(rd.zeroes, Change{Action: Zero, ID: st.ID, Fields: []string{"stock"}, Before: before(st),
				Row: Row{Key: keyOf(st)}})
		}
	}
}

// parallel runs fetch(i) for each i below n, workers at once, and hands each result to
// take in the caller's goroutine, in the order they come, so that take's state has one
// owner. With inStep, a worker starts its next fetch only once its result is taken, so
// that a take that ends ctx (a sync cancelled from its Progress) stops every worker;
// without, a worker fetches on while take works (reads, which send nothing a cancel
// must stop). It starts no more fetches once ctx ends or take returns an error, and
// returns take's first error when every fetch started has been taken.
func parallel[T any](ctx context.Context, workers, n int, inStep bool, fetch func(ctx context.Context, i int) (T, error), take func(i int, v T, err error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		i     int
		v     T
		err   error
		taken chan<- struct{} // nil unless inStep
	}
	jobs, results := make(chan int), make(chan result, workers)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var taken chan struct{}
			if inStep {
				taken = make(chan struct{})
			}
			for i := range jobs {
				v, err := fetch(ctx, i)
				results <- result{i, v, err, taken}
				if inStep {
					<-taken
				}
			}
		}()
	}
	go func() {
	feed:
		for i := range n {
			select {
			case jobs <- i:
			case <-ctx.Done():
				break feed
			}
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var first error
	for res := range results {
		if err := take(res.i, res.v, res.err); err != nil && first == nil {
			first = err
			cancel() // no more fetches; those in flight end early and are taken here
		}
		if res.taken != nil {
			res.taken <- struct{}{}
		}
	}
	return first
}
