package stocksync_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware/stocksync"
)

// A length the service refuses is refused without a request with the service's words;
// with a larger limit, the service's refusal is met once and not retried.
func TestLengthsAreRefusedOnEveryRun(t *testing.T) {
	fake := newFake(t)
	in := strings.Repeat("S", 300) + ",erp_main,110,1\n"
	rep := syncCSV(t, fake, in, stocksync.Options{})
	assert.Equal(t, []string{"sku: Ensure this field has no more than 255 characters."}, rep.Outcomes[0].Messages)
	assert.Zero(t, fake.RequestCount("POST", "/api/v1/stocks/"))

	rep = syncCSV(t, fake, in, stocksync.Options{MaxLengths: stocksync.Lengths{SKU: 1000}})
	require.Equal(t, 1, rep.Failed)
	assert.Equal(t, []string{"sku: Ensure this field has no more than 255 characters."}, rep.Outcomes[0].Messages)
	assert.Equal(t, 1, fake.RequestCount("POST", "/api/v1/stocks/"), "a refusal, not retried")
}
