package whippywaretest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// envelope is a decoded list page; pointers tell null from a link.
type envelope struct {
	Count    int
	Next     *string
	Previous *string
	Results  []struct{ ID int }
}

func (c *conn) page(pathAndQuery string) envelope {
	c.t.Helper()
	r := c.do(http.MethodGet, pathAndQuery, nil)
	require.Equal(c.t, http.StatusOK, r.status, "%s: %s", pathAndQuery, r.raw)
	obj := r.object()
	require.ElementsMatch(c.t, []string{"count", "next", "previous", "results"}, keys(obj))
	var e envelope
	require.NoError(c.t, json.Unmarshal(r.raw, &e))
	return e
}

// follow requests the page a link names, checking the link is absolute and points back here.
func (c *conn) follow(link *string) envelope {
	c.t.Helper()
	require.NotNil(c.t, link)
	u, err := url.Parse(*link)
	require.NoError(c.t, err)
	require.Equal(c.t, c.srv.URL, u.Scheme+"://"+u.Host, "an absolute link to this server")
	return c.page(u.RequestURI())
}

func ids(e envelope) []int {
	var out []int
	for _, r := range e.Results {
		out = append(out, r.ID)
	}
	return out
}

func span(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestPaginationLinksAndLimits(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv := wt.NewTestServer(t, append(mode.opts, wt.WithMaxPageSize(30))...)
			for i := 1; i <= 45; i++ {
				var opts []wt.AddOption
				if i%3 == 0 {
					opts = append(opts, wt.Inactive())
				}
				srv.AddProvider(wt.Provider{Name: fmt.Sprint("P", i), Code: fmt.Sprint("p", i)}, opts...)
			}
			c := connect(t, srv)
			base := srv.URL + "/api/v1/providers/"

			p1 := c.page("/api/v1/providers/")
			assert.Equal(t, 45, p1.Count)
			assert.Equal(t, span(1, 20), ids(p1), "default page size 20, by id")
			assert.Nil(t, p1.Previous)
			assert.Equal(t, base+"?page=2", *p1.Next)

			p2 := c.follow(p1.Next)
			assert.Equal(t, span(21, 40), ids(p2))
			assert.Equal(t, base, *p2.Previous, "page 1 is linked without a page parameter")
			p3 := c.follow(p2.Next)
			assert.Equal(t, span(41, 45), ids(p3))
			assert.Nil(t, p3.Next)
			assert.Equal(t, base+"?page=2", *p3.Previous)

			// Filters and limit are kept in the links.
			f1 := c.page("/api/v1/providers/?limit=10&is_active=true")
			assert.Equal(t, 30, f1.Count)
			assert.Equal(t, base+"?is_active=true&limit=10&page=2", *f1.Next)
			f2 := c.follow(f1.Next)
			assert.Equal(t, []int{16, 17, 19, 20, 22, 23, 25, 26, 28, 29}, ids(f2))
			assert.Equal(t, base+"?is_active=true&limit=10", *f2.Previous)
			assert.Equal(t, base+"?is_active=true&limit=10&page=3", *f2.Next)
			f3 := c.follow(f2.Next)
			assert.Equal(t, 30, f3.Count)
			assert.Equal(t, ids(f3), ids(c.page("/api/v1/providers/?limit=10&is_active=true&page=last")), "the last page of the matching records")
			requireJSON(t, c.do(http.MethodGet, "/api/v1/providers/?limit=10&is_active=true&page=4", nil),
				http.StatusNotFound, `{"detail": "Invalid page."}`)

			assert.Len(t, c.page("/api/v1/providers/?limit=5000").Results, 30, "limit clamped to the maximum")
			for _, limit := range []string{"0", "-3", "abc", ""} {
				assert.Len(t, c.page("/api/v1/providers/?limit="+limit).Results, 20, "limit %q means the default", limit)
			}
			assert.Equal(t, span(41, 45), ids(c.page("/api/v1/providers/?page=last")))
			assert.Equal(t, span(21, 40), ids(c.page("/api/v1/providers/?page=1&page=2")), "the last page value counts")
			assert.Equal(t, span(1, 5), ids(c.page("/api/v1/providers/?limit=9&limit=5")), "the last limit value counts")
			// DRF 3.14 refuses an empty page (3.15 reads it as page 1).
			for _, page := range []string{"4", "0", "-1", "abc", "", "99999999999999999999", "LAST"} {
				requireJSON(t, c.do(http.MethodGet, "/api/v1/providers/?page="+page, nil),
					http.StatusNotFound, `{"detail": "Invalid page."}`)
			}

			r := c.do(http.MethodGet, "/api/v1/providers/?name=none", nil)
			requireJSON(t, r, http.StatusOK, `{"count": 0, "next": null, "previous": null, "results": []}`)
			requireJSON(t, c.do(http.MethodGet, "/api/v1/providers/?name=none&page=2", nil),
				http.StatusNotFound, `{"detail": "Invalid page."}`)
		})
	}
}

func TestPageSizeOption(t *testing.T) {
	srv := wt.NewTestServer(t, wt.WithoutListener(), wt.WithPageSize(2))
	for i := range 3 {
		srv.AddProvider(wt.Provider{Name: "P", Code: fmt.Sprint(i), IsActive: true})
	}
	c := connect(t, srv)
	p := c.page("/api/v1/providers/")
	assert.Equal(t, []int{1, 2}, ids(p))
	assert.Equal(t, []int{3}, ids(c.follow(p.Next)))
	assert.Panics(t, func() { wt.NewServer(wt.WithoutListener(), wt.WithPageSize(0)) })
}

func TestListFilters(t *testing.T) {
	c := validationStore(t)
	c.srv.AddStock(wt.Stock{SKU: "S2", Provider: "q", Location: "Q1", Stock: 1, StockType: "damaged"}, wt.Inactive())
	cases := []struct {
		query string
		want  []int
	}{
		{"providers/?code=p", []int{1}},
		{"providers/?name=q", []int{2}},
		{"providers/?is_active=false", nil},
		{"providers/?is_active=maybe", []int{1, 2}}, // a value it cannot read filters nothing, as django-filter
		{"providers/?unknown=1", []int{1, 2}},
		{"stock-locations/?provider=2", []int{2}},
		{"stock-locations/?provider=%202%0A", []int{2}}, // the lookup casts it with int(): whitespace around it
		{"stock-locations/?code=L1&is_active=true", []int{1}},
		{"stock-list-rules/?rule_type=sql&name=r", []int{1}},
		{"stock-lists/?code=list1", []int{1}},
		{"stock-lists/?name=nope", nil},
		{"stocks/?location=L1", []int{1}},
		{"stocks/?location=%20L1%1F", []int{1}}, // CharFilter strips as str.strip() does
		{"providers/?code=%20%20", []int{1, 2}}, // nothing left: no filter
		{"stocks/?location=2", nil},             // a code, not an id
		{"stocks/?location=nowhere", nil},
		{"stocks/?provider=q", []int{2}},
		{"stocks/?sku=S1&provider=q", nil},
		{"stocks/?stock_type=damaged", []int{2}},
		{"stocks/?is_active=0", []int{2}},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, ids(c.page("/api/v1/"+tc.query)), tc.query)
	}
	for _, v := range []string{"99", "abc"} {
		requireJSON(t, c.do(http.MethodGet, "/api/v1/stock-locations/?provider="+v, nil), http.StatusBadRequest,
			`{"provider": ["Select a valid choice. That choice is not one of the available choices."]}`)
	}
}

// A page is sent with its length, as Django's CommonMiddleware sends every response
// that is not streamed, not chunked (what net/http does with a body over 2 KiB whose
// length the handler left out).
func TestPagesCarryTheirLength(t *testing.T) {
	srv := wt.NewTestServer(t) // a real listener: the in-process transport never chunks
	seedProvider(srv, "p", "L")
	for i := range 40 {
		srv.AddStock(wt.Stock{SKU: fmt.Sprint("SKU-", i), Provider: "p", Location: "L", Stock: int64(i), IsActive: true})
	}
	c := connect(t, srv)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/stocks/?limit=40", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token "+c.key)
	resp, err := c.http.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Greater(t, len(body), 2048, "a page longer than net/http's chunking threshold")
	assert.Empty(t, resp.TransferEncoding)
	assert.Equal(t, int64(len(body)), resp.ContentLength)
}
