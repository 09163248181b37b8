package whippywaretest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// Serializer fields reading what clients send, each answered alike by the reference.
func TestFieldReading(t *testing.T) {
	runExchanges(t, []exchange{
		{item: "fields.py JSONField.get_value reads a form's value itself: an empty rule is no JSON, not left out",
			method: "POST", path: "/api/v1/stock-list-rules/", header: withAuth(map[string]string{"Content-Type": formCT}),
			body: "name=R&rule_type=sql&rule=", status: 400, want: `{"rule":["Value must be valid JSON."]}`,
			check: func(t *testing.T, srv *wt.Server) { assert.Len(t, srv.StockListRules(), 1, "nothing stored") }},
		{item: "fields.py JSONField: a PATCH's empty rule in a form is no JSON either",
			method: "PATCH", path: "/api/v1/stock-list-rules/1/", header: withAuth(map[string]string{"Content-Type": formCT}),
			body: "rule=", status: 400, want: `{"rule":["Value must be valid JSON."]}`},
	})
}
