package whippywaretest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// retainedBytes is what the log holds of bodies and header fields.
func (l *requestLog) retainedBytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	l.each(func(rec *RequestRecord) {
		n += len(rec.Body)
		for k, vs := range rec.Header {
			for _, v := range vs {
				n += len(k) + len(v)
			}
		}
	})
	return n
}

// A long-running server hammered with large bodies and headers, most of them refused before
// they are read, retains no more than its stated bound: limit × 2 × record size.
func TestRequestLogStaysWithinItsBound(t *testing.T) {
	const limit, size = 50, 4 << 10
	srv := NewTestServer(t, WithoutListener(), WithRequestLogLimit(limit), WithRequestLogRecordSize(size))
	client := srv.HTTPClient()
	big := bytes.Repeat([]byte("x"), maxBody)
	for i := range 4 * limit {
		path := "/api/v1/providers/"
		if i%3 == 0 {
			path = "/api/v1/auth/login/" // read by the handler, not refused before
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(big))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Padding", strings.Repeat("h", 2*size))
		res, err := client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.LessOrEqual(t, len(srv.log.recs), limit, "trimmed at the limit, not past it")
	}
	assert.LessOrEqual(t, srv.log.retainedBytes(), limit*2*size)
	recs := srv.Requests()
	require.Len(t, recs, limit)
	for _, rec := range recs {
		assert.Len(t, rec.Body, size, "the body's head is kept")
		assert.True(t, rec.Truncated)
		assert.Empty(t, rec.Header.Get("X-Padding"), "a header field past the size is dropped")
		assert.Equal(t, "application/json", rec.Header.Get("Content-Type"))
	}
}

// Without a limit the log keeps every record; as a ring it keeps the newest, and both give
// each kept record once, oldest first.
func TestRequestLogOrder(t *testing.T) {
	for _, tc := range []struct{ limit, adds, first int }{{0, 2000, 0}, {10, 25, 15}, {10, 10, 0}} {
		l := requestLog{limit: tc.limit}
		for i := range tc.adds {
			l.add(RequestRecord{Status: i})
		}
		var got []int
		l.each(func(rec *RequestRecord) { got = append(got, rec.Status) })
		want := make([]int, 0, tc.adds-tc.first)
		for i := tc.first; i < tc.adds; i++ {
			want = append(want, i)
		}
		assert.Equal(t, want, got, "limit %d after %d requests", tc.limit, tc.adds)
	}
}
