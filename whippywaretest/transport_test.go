package whippywaretest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An in-process answer's header is the client's own: changing it in place does not change the
// next answer.
func TestInProcessAnswerHeaderIsTheClients(t *testing.T) {
	c := dial(t)
	first := c.do(http.MethodGet, "/api/v1/providers/", nil)
	first.header["Content-Type"][0] = "text/plain"
	first.header["Allow"][0] = "NOTHING"
	next := c.do(http.MethodGet, "/api/v1/providers/", nil)
	assert.Equal(t, "application/json", next.header.Get("Content-Type"))
	assert.Equal(t, "GET, POST, HEAD, OPTIONS", next.header.Get("Allow"))
}
