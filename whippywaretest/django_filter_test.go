package whippywaretest_test

import "testing"

// The FilterSet's refusals (django-filter 23 through DjangoFilterBackend), each answered alike
// by the reference.
func TestFilterRefusals(t *testing.T) {
	runExchanges(t, []exchange{
		{item: "mixins.py ListModelMixin.list: filter_queryset runs before paginate_queryset, so a refused filter is 400 before a bad page's 404",
			method: "GET", path: "/api/v1/stock-locations/?page=abc&provider=abc", header: auth(), status: 400,
			want: `{"provider":["Select a valid choice. That choice is not one of the available choices."]}`},
		{item: "filterset.py: page=0 and a refused filter: the filter's 400",
			method: "GET", path: "/api/v1/providers/?page=0&name=%00", header: auth(), status: 400,
			want: `{"name":["Null characters are not allowed."]}`},
		{item: "filterset.py FilterSet.errors: keys in the FilterSet's field order (Meta.fields), on lists",
			method: "GET", path: "/api/v1/stocks/?location=%00&provider=%00&stock_type=%00&sku=%00", header: auth(), status: 400,
			want: `{"sku":["Null characters are not allowed."],"stock_type":["Null characters are not allowed."],` +
				`"provider":["Null characters are not allowed."],"location":["Null characters are not allowed."]}`},
		{item: "filterset.py FilterSet.errors: keys in the FilterSet's field order, on detail routes",
			method: "DELETE", path: "/api/v1/stocks/2/?location=%00&sku=%00", header: auth(), status: 400,
			want: `{"sku":["Null characters are not allowed."],"location":["Null characters are not allowed."]}`},
	})
}
