package whippyware

import (
	"net/url"
	"testing"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listQuery's own encoding of a filter that only pages must be go-querystring's.
func TestListQueryAgreesWithQuerystring(t *testing.T) {
	pagings := []ListOptions{{}, {Page: 2}, {Limit: 500}, {Page: 3, Limit: 100}, {Page: 123456, Limit: 1000}}
	var filters []any
	for _, lo := range pagings {
		filters = append(filters,
			&StockFilter{ListOptions: lo},
			&StockFilter{ListOptions: lo, SKU: "SKU 1&x=y", IsActive: Ptr(false)},
			&StockFilter{ListOptions: lo, Location: "110"},
			&StockListFilter{ListOptions: lo},
			&StockListRuleFilter{ListOptions: lo},
			&ProviderFilter{ListOptions: lo},
			&ProviderFilter{ListOptions: lo, IsActive: Ptr(true)},
			&StockLocationFilter{ListOptions: lo},
			&notOmitted{ListOptions: lo},
			&notOmitted{ListOptions: lo, Code: "c"},
		)
	}
	for _, f := range filters {
		want, err := query.Values(f)
		require.NoError(t, err)
		var got url.Values
		switch f := f.(type) {
		case *StockFilter:
			got, err = listQuery(f)
		case *StockListFilter:
			got, err = listQuery(f)
		case *StockListRuleFilter:
			got, err = listQuery(f)
		case *ProviderFilter:
			got, err = listQuery(f)
		case *StockLocationFilter:
			got, err = listQuery(f)
		case *notOmitted:
			got, err = listQuery(f)
		}
		require.NoError(t, err)
		assert.Equal(t, want, got, "%#v", f)
		assert.Equal(t, want.Encode(), encodeQuery(got), "%#v", f)
	}
}

// notOmitted has a field go-querystring sends even when it is zero, so listQuery
// must not take its shortcut for it.
type notOmitted struct {
	ListOptions
	Code string `url:"code"`
}

func TestListQueryRefusesNegativePaging(t *testing.T) {
	_, err := listQuery(&StockFilter{ListOptions: ListOptions{Page: -1}})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

func FuzzEncodeQuery(f *testing.F) {
	f.Add("limit", "100", "page", "2", "sku", "a b&c")
	f.Add("", "", "é", "%", "a", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		v := url.Values{}
		v.Add(k1, v1)
		v.Add(k2, v2)
		v.Add(k3, v3)
		if got, want := encodeQuery(v), v.Encode(); got != want {
			t.Fatalf("encodeQuery(%v) = %q, want %q", v, got, want)
		}
	})
}
