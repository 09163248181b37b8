package whippyware

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllFollowsNextByPageNumberOnly(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	page := func(n int, next string) string {
		return fmt.Sprintf(`{"count": 99, "next": %s, "previous": null, "results": [{"id": %d}, {"id": %d}]}`, next, 2*n-1, 2*n)
	}
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x",
		httpmock.NewStringResponder(200, page(1, `"https://{whippy_api_url}/api/v1/providers/?limit=2&page=2"`)))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x&page=2",
		httpmock.NewStringResponder(200, page(2, `"http://localhost:8000/api/v1/providers/?page=3&limit=2"`)))
	mock.RegisterResponder(http.MethodGet, testAPI+"providers/?limit=2&name=x&page=3",
		httpmock.NewStringResponder(200, page(3, `null`)))
	opts := &ProviderFilter{ListOptions: ListOptions{Limit: 2}, Name: "x"}
	var ids []int64
	for p, err := range c.Providers.All(context.Background(), opts) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, ids)
	assert.Equal(t, 0, opts.Page, "the caller's options are not changed")
	assert.Equal(t, 3, mock.GetTotalCallCount())
}

func TestAllStoppedEarlyFetchesNoFurtherPage(t *testing.T) {
	c, mock := newMockClient(t, WithKey(testKey))
	mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
		httpmock.NewStringResponder(200, `{"count": 4, "next": "https://h/api/v1/stocks/?page=2", "previous": null, "results": [{"id": 1}, {"id": 2}]}`))
	seen := 0
	for s, err := range c.Stocks.All(context.Background(), nil) {
		require.NoError(t, err)
		seen++
		if s.ID == 1 {
			break
		}
	}
	assert.Equal(t, 1, seen)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "page 2 must not be fetched")
}

func TestAllStopsOnErrorsAndBadLinks(t *testing.T) {
	cases := map[string]string{
		"link without a page number": `"https://h/api/v1/stocks/?page=abc"`,
		"link that goes back":        `"https://h/api/v1/stocks/?page=1"`,
	}
	for name, next := range cases {
		t.Run(name, func(t *testing.T) {
			c, mock := newMockClient(t, WithKey(testKey))
			mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
				httpmock.NewStringResponder(200, `{"count": 1, "next": `+next+`, "results": [{"id": 1}]}`))
			var errs []error
			n := 0
			for s, err := range c.Stocks.All(context.Background(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				n++
				assert.Equal(t, int64(1), s.ID)
			}
			assert.Equal(t, 1, n)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrUnexpectedResponse)
			assert.Equal(t, 1, mock.GetTotalCallCount())
		})
	}
	t.Run("error page", func(t *testing.T) {
		c, mock := newMockClient(t, WithKey(testKey))
		mock.RegisterResponder(http.MethodGet, testAPI+"stocks/?page=7", httpmock.NewStringResponder(404, `{"detail": "Invalid page."}`))
		// Counted, so that an iteration that yields nothing fails instead of passing.
		yielded := 0
		for s, err := range c.Stocks.All(context.Background(), &StockFilter{ListOptions: ListOptions{Page: 7}}) {
			yielded++
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrNotFound)
		}
		assert.Equal(t, 1, yielded, "the error is handed over once")
		assert.Equal(t, 1, mock.GetTotalCallCount())
	})
}

func TestAllSkipsNullItems(t *testing.T) {
	c, mock := newKeyClient(t)
	mock.RegisterResponder(http.MethodGet, testAPI+"stocks/",
		httpmock.NewStringResponder(200, `{"count": 2, "next": null, "results": [null, {"id": 1, "sku": "A"}]}`))
	var skus []string
	for s, err := range c.Stocks.All(context.Background(), nil) {
		require.NoError(t, err)
		skus = append(skus, s.SKU)
	}
	assert.Equal(t, []string{"A"}, skus)
}

func FuzzPageNumber(f *testing.F) {
	for _, seed := range []string{
		"https://{whippy_api_url}/api/v1/providers/?page=2",
		"http://{whippy_api_url}/api/v1/stock-list-rules/?page=2",
		"http://localhost:8000/api/v1/stocks/?limit=500&page=3",
		"https://h/api/v1/stocks/?sku=a%26page%3D9&page=4#frag",
		"https://h/api/v1/stocks/", "", "?page=", "?page=-1", "?page=abc&page=2",
	} {
		f.Add(seed, 5)
	}
	f.Fuzz(func(t *testing.T, link string, n int) {
		if got := pageNumber(link); got < 0 {
			t.Fatalf("pageNumber(%q) = %d", link, got)
		}
		// A well-formed link with the page parameter appended gives that page,
		// whatever comes before it.
		if n < 1 || strings.ContainsAny(link, "#") {
			return
		}
		sep := "?"
		if strings.Contains(link, "?") {
			sep = "&"
		}
		withPage := link + sep + "page=" + strconv.Itoa(n)
		if q, err := url.ParseQuery(withPage[strings.Index(withPage, "?")+1:]); err == nil && len(q["page"]) == 1 {
			if got := pageNumber(withPage); got != n {
				t.Fatalf("pageNumber(%q) = %d, want %d", withPage, got, n)
			}
		}
	})
}

// The error that ends All on a bad next link quotes the link, without the
// password or key a service or proxy may have put in it.
func TestAllErrorLeavesOutASecretInTheLink(t *testing.T) {
	c, mock := newMockClient(t)
	mockLogin(mock, testKey)
	recordJSON(mock, http.MethodGet, testAPI+"providers/", 200, `{"count": 2, "previous": null, "results": [`+providerJSON+`],
		"next": "https://x/?page=7&password=`+testPassword+`&token=`+testKey+`"}`)
	var errs []error
	for _, err := range c.Providers.All(context.Background(), nil) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrUnexpectedResponse)
	assert.Contains(t, errs[0].Error(), "page=7&password=[redacted]&token=[redacted]", "the link, redacted")
	assert.False(t, strings.Contains(errs[0].Error(), testPassword))
	assert.False(t, strings.Contains(errs[0].Error(), testKey))
}
