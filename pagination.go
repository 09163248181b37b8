package whippyware

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"strconv"
	"strings"
)

// ListOptions are the paging parameters every list takes. Resource list options
// embed it.
type ListOptions struct {
	// Page is the page number, from 1. Zero asks for the first page; below zero is
	// refused with ErrInvalidRequest.
	Page int `url:"page,omitempty"`
	// Limit is the number of items per page. Zero leaves it to the service; below
	// zero is refused with ErrInvalidRequest.
	Limit int `url:"limit,omitempty"`
}

// checkRequest refuses a page or limit below zero, which the service would answer
// with a 404 or ignore.
func (o ListOptions) checkRequest() error {
	if o.Page < 0 || o.Limit < 0 {
		return fmt.Errorf("%w: page %d and limit %d: both must be zero or more", ErrInvalidRequest, o.Page, o.Limit)
	}
	return nil
}

// Page is one page of a list.
type Page[T any] struct {
	// Count is the total the service reports. The reference shows it disagreeing
	// with the pages, so never compute the number of pages from it.
	Count int `json:"count"`
	// Next and Previous are the links as the service sent them, "" when null. The
	// client never requests them as they are: their hosts cannot be trusted.
	Next     string `json:"next"`
	Previous string `json:"previous"`
	// Results are the items of this page: never nil in a page the client returns
	// (an answer without them is ErrUnexpectedResponse), each a record with an id,
	// or nil where the service sent null.
	Results []*T `json:"results"`
}

// checkAnswer: a page has a results list ("results": [] when empty), and each of
// its records is one.
func (p *Page[T]) checkAnswer() error {
	if p.Results == nil {
		return errors.New("the answer is not a page: it has no results")
	}
	for i, item := range p.Results {
		// A null in the results is no record: All skips it, List keeps it as it came.
		if c, ok := any(item).(answerChecker); ok && item != nil {
			if err := c.checkAnswer(); err != nil {
				return fmt.Errorf("result %d: %w", i, err)
			}
		}
	}
	return nil
}

// NextPage returns the page number in Next: 0 when there is no next page, or when
// the link has no readable page number. It is a method, not a decoded field, so
// that a Page decodes as encoding/json gives it.
func (p *Page[T]) NextPage() int { return pageNumber(p.Next) }

// PreviousPage returns the page number in Previous (1 for a link without one, as
// the service drops it for the first page), or 0 when there is no previous page.
func (p *Page[T]) PreviousPage() int { return pageNumber(p.Previous) }

// pageNumber reads the page parameter of a link. It does not parse the link as a
// URL: the reference prints placeholder hosts ("https://{whippy_api_url}/...") that
// url.Parse rejects, and only the page number is needed. A link with no page
// parameter is page 1 (DRF drops it there); "" or an unreadable number is 0.
func pageNumber(link string) int {
	if link == "" {
		return 0
	}
	_, rawQuery, _ := strings.Cut(link, "?")
	rawQuery, _, _ = strings.Cut(rawQuery, "#")
	values, _ := url.ParseQuery(rawQuery) // keeps the pairs it could read
	page, ok := values["page"]
	if !ok {
		return 1
	}
	n, err := strconv.Atoi(page[0])
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// all is the one iterator behind every All: it walks the pages opts selects from
// opts.Page on, fetching each with callOpts, following each page's next link by its
// page number only, and stops when yield returns false or a page has no next link.
//
// It trusts a link only to move on by one page, as page-number pagination does: a
// link to any other page (unreadable, back, the same, or ahead, which would skip
// items), and a page with nothing in it that still links on (which could be
// followed for ever without the loop body ever running, so the caller could not
// break), end the iteration with ErrUnexpectedResponse, which quotes the link
// redacted: a link may echo the password or the key.
func (r *resource[T, C, U, O]) all(ctx context.Context, opts *O, callOpts []CallOption) iter.Seq2[*T, error] {
	query, err := listQuery(opts)
	if err != nil {
		return func(yield func(*T, error) bool) { yield(nil, err) }
	}
	return func(yield func(*T, error) bool) {
		q := maps.Clone(query) // each run starts from the caller's options; Set replaces a value, never writes into it
		last, _ := strconv.Atoi(q.Get("page"))
		last = max(last, 1)
		for {
			page, _, err := r.page(ctx, q, callOpts)
			if err != nil {
				yield(nil, err)
				return
			}
			handed := 0
			for _, item := range page.Results {
				if item == nil {
					continue // a null in the results: nothing to hand over
				}
				handed++
				if !yield(item, nil) {
					return
				}
			}
			if page.Next == "" {
				return
			}
			if next := page.NextPage(); handed == 0 || next != last+1 {
				bad := fmt.Sprintf("links to page %d as the next page, not %d", next, last+1)
				if handed == 0 {
					bad = "has no results but links to a next page"
				}
				link := r.client.tokens.redact([]byte(page.Next), heldKey{})
				yield(nil, fmt.Errorf("%w: page %d %s (%q)", ErrUnexpectedResponse, last, bad, snippet(link)))
				return
			}
			last++
			q.Set("page", strconv.Itoa(last))
		}
	}
}
