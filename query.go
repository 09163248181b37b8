package whippyware

import (
	"fmt"
	"net/url"

	"github.com/google/go-querystring/query"
)

// listQuery checks and encodes list options; nil options are no query.
func listQuery[O any](opts *O) (url.Values, error) {
	if opts == nil {
		return url.Values{}, nil
	}
	if c, ok := any(opts).(requestChecker); ok {
		if err := c.checkRequest(); err != nil {
			return nil, err
		}
	}
	q, err := query.Values(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: list options: %w", ErrInvalidRequest, err)
	}
	return q, nil
}
