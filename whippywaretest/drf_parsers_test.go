package whippywaretest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Form bodies are read by DRF's rules for HTML input (fields.py Field.get_value): the last
// value of a repeated field; a field left out is false for a boolean on a create or PUT but
// untouched on a PATCH; an empty value is null for a nullable field and "left out" for an
// optional one; a JSON field is JSON text.
func TestFormBodies(t *testing.T) {
	c := validationStore(t)
	const form = "application/x-www-form-urlencoded"
	post := func(path, body string) reply {
		return c.send(t.Context(), http.MethodPost, path, body, form)
	}

	r := post("/api/v1/stock-lists/", "code=f1&name=F&remote_id=&stock_list_rule=")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	got := r.object()
	assert.Nil(t, got["remote_id"], "empty is null for a nullable field")
	assert.Nil(t, got["stock_list_rule"])
	assert.Equal(t, false, got["is_active"], "an unticked checkbox")

	r = post("/api/v1/stock-list-rules/", `name=R&rule_type=sql&rule={"providers":["p"]}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	assert.Equal(t, map[string]any{"providers": []any{"p"}}, r.object()["rule"], "JSON text")
	r = post("/api/v1/stock-list-rules/", `name=R&rule_type=sql&rule={oops`)
	requireJSON(t, r, http.StatusBadRequest, `{"rule": ["Value must be valid JSON."]}`)

	r = post("/api/v1/stocks/", "sku=F1&provider=p&location=L1&stock=3&stock_type=&period=2024-01-31")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	got = r.object()
	assert.Equal(t, "standard", got["stock_type"], "empty is left out for an optional field")
	assert.EqualValues(t, 3, got["stock"])

	// PATCH: what is left out is untouched, booleans included.
	r = c.send(t.Context(), http.MethodPatch, "/api/v1/providers/1/", "name=Renamed", form)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, true, r.object()["is_active"])
	assert.Equal(t, "Renamed", r.object()["name"])
	// PUT is not partial: the left-out checkbox is false.
	r = c.send(t.Context(), http.MethodPut, "/api/v1/providers/1/", "name=Put&code=p", form)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.Equal(t, false, r.object()["is_active"])
}

// A form body and a query string are read as Django's QueryDict reads them (Python's
// parse_qsl): pairs split on "&" only, and a "%" that starts no escape kept as written, as
// curl -d sends them.
func TestFormsAndQueriesReadAsQueryDict(t *testing.T) {
	runExchanges(t, []exchange{
		{item: "http/request.py QueryDict: a form value with \";\" and a bare \"%\" is stored as sent",
			method: "POST", path: "/api/v1/providers/", header: withAuth(map[string]string{"Content-Type": formCT}),
			body: "name=ACME; 50%+off&code=acme%3B1&is_active=true", status: 201,
			want: created("3") + `"is_active":true,"name":"ACME; 50% off","code":"acme;1","should_add_reservations":false}`},
		{item: "QueryDict: a filter value with \";\" filters (nothing matches), not ignored",
			method: "GET", path: "/api/v1/providers/?code=provider_company;x", header: auth(), status: 200,
			want: `{"count":0,"next":null,"previous":null,"results":[]}`},
		{item: "QueryDict: a detail route's filter with a bare \"%\" keeps the record from a DELETE",
			method: "DELETE", path: "/api/v1/providers/1/?name=100%", header: auth(), status: 404, want: `{"detail":"Not found."}`,
			check: providerCount(2)},
	})
}
