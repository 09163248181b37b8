package whippywaretest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// In process the test owns the fake, so Requests keeps keys and passwords as sent; only the
// log cmd/whippyware-fake serves over HTTP redacts them.
func TestRequestsKeepKeysAndPasswords(t *testing.T) {
	c := dial(t)
	c.do(http.MethodGet, "/api/v1/stocks/", nil)
	log := c.srv.Requests()
	require.Len(t, log, 2)
	assert.Contains(t, string(log[0].Body), `"password":"`+wt.DefaultPassword+`"`)
	assert.Equal(t, []string{"Token " + c.key}, log[1].Header["Authorization"])
}
