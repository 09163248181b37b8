package whippyware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
)

// Reliability: lists whose next links a client must not follow blindly. Each serves
// pages from a loopback server that answers by page number, and counts what it was
// asked for.

// pagedServer serves api/v1/stocks/ with page(n) for page n, and counts requests.
// Past pageLimit requests it cancels the context the test passed in stop, so that a
// client that keeps fetching ends instead of running for ever.
type pagedServer struct {
	*httptest.Server
	requests atomic.Int64
}

func newPagedServer(t *testing.T, stop context.CancelFunc, page func(n int) string) *pagedServer {
	t.Helper()
	const pageLimit = 50
	s := &pagedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/stocks/" {
			http.NotFound(w, r)
			return
		}
		if s.requests.Add(1) > pageLimit {
			stop()
		}
		n := 1
		if p := r.URL.Query().Get("page"); p != "" {
			var err error
			if n, err = strconv.Atoi(p); err != nil || n < 1 {
				http.Error(w, `{"detail": "Invalid page."}`, http.StatusNotFound)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, page(n))
	}))
	t.Cleanup(s.Close)
	return s
}

// link is an absolute next link, as DRF builds them.
func link(n int) string {
	return strconv.Quote(fmt.Sprintf("http://testserver/api/v1/stocks/?page=%d", n))
}

// collect runs All to its end and returns the ids it handed over and the errors.
func collect(ctx context.Context, c *whippyware.Client, opts *whippyware.StockFilter) (ids []int64, errs []error) {
	for s, err := range c.Stocks.All(ctx, opts) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, s.ID)
	}
	return ids, errs
}

func newPagedClient(t *testing.T, url string) *whippyware.Client {
	t.Helper()
	c, err := whippyware.NewClient(url, whippyware.WithKey("paged-key"), whippyware.WithRetryWait(0, 0))
	require.NoError(t, err)
	return c
}

// TestAllEndlessEmptyPages: a list whose every page is empty and links to the next
// one. The loop body never runs, so the caller cannot break: All must stop at the
// first such page with ErrUnexpectedResponse, not fetch until the server gives up.
func TestAllEndlessEmptyPages(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	srv := newPagedServer(t, stop, func(n int) string {
		return fmt.Sprintf(`{"count": 1000, "next": %s, "previous": null, "results": []}`, link(n+1))
	})
	ids, errs := collect(ctx, newPagedClient(t, srv.URL), nil)
	assert.Empty(t, ids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], whippyware.ErrUnexpectedResponse)
	assert.False(t, errors.Is(errs[0], context.Canceled), "All stopped by itself: %v", errs[0])
	assert.Equal(t, int64(1), srv.requests.Load(), "pages fetched")
}

// TestAllNextPageMustBeTheFollowingOne: with page-number pagination the next page
// is the last one plus one. A link anywhere else, and an empty page in the middle
// of a list, end the iteration with ErrUnexpectedResponse after the items already
// handed over, and nothing more is fetched.
func TestAllNextPageMustBeTheFollowingOne(t *testing.T) {
	items := func(n int) string { return fmt.Sprintf(`{"id": %d}, {"id": %d}`, 2*n-1, 2*n) }
	cases := []struct {
		name     string
		start    int // the caller's ListOptions.Page
		page     func(n int) string
		wantIDs  []int64
		wantReqs int64
		wantErr  bool
	}{
		{
			name:  "a jump from page 1 to page 10^12",
			start: 0,
			page: func(n int) string {
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(1_000_000_000_000), items(n))
			},
			wantIDs: []int64{1, 2}, wantReqs: 1, wantErr: true,
		},
		{
			name:  "a page skipped",
			start: 0,
			page: func(n int) string {
				if n == 1 {
					return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(2), items(n))
				}
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(4), items(n))
			},
			wantIDs: []int64{1, 2, 3, 4}, wantReqs: 2, wantErr: true,
		},
		{
			name:  "a skip from the caller's start page",
			start: 5,
			page: func(n int) string {
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(n+2), items(n))
			},
			wantIDs: []int64{9, 10}, wantReqs: 1, wantErr: true,
		},
		{
			name:  "a link to the same page",
			start: 3,
			page: func(n int) string {
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(n), items(n))
			},
			wantIDs: []int64{5, 6}, wantReqs: 1, wantErr: true,
		},
		{
			name:  "an empty page in the middle",
			start: 0,
			page: func(n int) string {
				if n == 2 {
					return fmt.Sprintf(`{"count": 99, "next": %s, "results": [null]}`, link(3))
				}
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, link(n+1), items(n))
			},
			wantIDs: []int64{1, 2}, wantReqs: 2, wantErr: true,
		},
		{
			name:  "each page the next, from the caller's start page",
			start: 4,
			page: func(n int) string {
				next := link(n + 1)
				if n == 6 {
					next = "null"
				}
				return fmt.Sprintf(`{"count": 99, "next": %s, "results": [%s]}`, next, items(n))
			},
			wantIDs: []int64{7, 8, 9, 10, 11, 12}, wantReqs: 3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			srv := newPagedServer(t, stop, tc.page)
			opts := &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Page: tc.start}}
			ids, errs := collect(ctx, newPagedClient(t, srv.URL), opts)
			assert.Equal(t, tc.wantIDs, ids, "items handed over")
			assert.Equal(t, tc.wantReqs, srv.requests.Load(), "pages fetched")
			if !tc.wantErr {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], whippyware.ErrUnexpectedResponse)
		})
	}
}
