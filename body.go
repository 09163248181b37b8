package whippyware

import (
	"io"
	"sync"
)

// What a call reads an answer's body into: a buffer from a pool, sized from the
// Content-Length when the answer gives one. io.ReadAll would start at 512 bytes and
// grow, about 14 allocations and twice the bytes for a page of 100 stocks; a pooled
// buffer costs none once the pool is warm.
//
// Safe to reuse because nothing keeps the bytes: the answer decoder (decode.go)
// and encoding/json copy strings and json.RawMessage out of their input, and every error that quotes a body copies what
// it keeps (newResponseError's bytes.Clone, snippet's string). do releases the
// buffer when it returns, after decoding and after building its error.

// bodyBuffer is one pooled buffer. It is handed around as a pointer so that
// putting it back allocates nothing.
type bodyBuffer struct{ b []byte }

var bodyPool = sync.Pool{New: func() any { return new(bodyBuffer) }}

// release puts the buffer back in the pool; its bytes must not be used after. It
// does nothing for nil.
func (buf *bodyBuffer) release() {
	if buf == nil {
		return
	}
	if cap(buf.b) > maxPooledBody {
		buf.b = nil
	}
	buf.b = buf.b[:0]
	bodyPool.Put(buf)
}

// readBody reads r to its end, or to limit bytes and one more, into a pooled
// buffer. contentLength (-1 when unknown) sizes the buffer up front when it is
// within limit. It returns errBodyTooLarge, with the buffer holding the first
// limit bytes, when r has more; on any other error the buffer holds what was read.
func readBody(r io.Reader, contentLength, limit int64) (*bodyBuffer, error) {
	buf := bodyPool.Get().(*bodyBuffer)
	b := buf.b[:0]
	if contentLength >= 0 && contentLength < limit && int64(cap(b)) <= contentLength {
		// One byte more than announced, so that the read finding the end needs no
		// room of its own.
		b = make([]byte, 0, contentLength+1)
	}
	var err error
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // append's growth: doubling, then by a quarter
		}
		window := b[len(b):cap(b)]
		if room := limit + 1 - int64(len(b)); int64(len(window)) > room {
			window = window[:room]
		}
		var n int
		n, err = r.Read(window)
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			b, err = b[:limit], errBodyTooLarge
			break
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			break
		}
	}
	buf.b = b
	return buf, err
}
