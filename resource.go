package whippyware

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/go-querystring/query"
)

// resource implements the six calls every Whippy Ware collection answers, once for
// all five services. T is the record, C the create request, U the update request
// and O the list options.
type resource[T, C, U, O any] struct {
	service
	path string // the collection, relative to the base URL, ending in "/"
}

func (r *resource[T, C, U, O]) itemPath(id int64) (string, error) {
	if id < 1 {
		return "", fmt.Errorf("%w: id %d: ids start at 1", ErrInvalidRequest, id)
	}
	return r.path + strconv.FormatInt(id, 10) + "/", nil
}

// List fetches one page of the collection (GET collection/). opts may be nil; its
// Page and Limit choose the page, its other fields filter.
func (r *resource[T, C, U, O]) List(ctx context.Context, opts *O) (*Page[T], *Response, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, nil, err
	}
	return r.listPage(ctx, q)
}

func (r *resource[T, C, U, O]) listPage(ctx context.Context, q url.Values) (*Page[T], *Response, error) {
	page := new(Page[T])
	resp, err := r.client.do(ctx, call{method: http.MethodGet, path: r.path, query: q, out: page})
	if err != nil {
		return nil, resp, err
	}
	return page, resp, nil
}

// All iterates over every item of the collection, page by page from opts.Page,
// with opts' filters and limit. It fetches a page only when the loop reaches it and
// none after the loop stops; an error ends the iteration after it is yielded. opts
// is copied: changing it during the loop has no effect.
func (r *resource[T, C, U, O]) All(ctx context.Context, opts *O) iter.Seq2[*T, error] {
	q, err := listQuery(opts)
	if err != nil {
		return func(yield func(*T, error) bool) { yield(nil, err) }
	}
	return paginate(ctx, q, r.listPage)
}

// Get fetches one item by id (GET collection/{id}/).
func (r *resource[T, C, U, O]) Get(ctx context.Context, id int64) (*T, *Response, error) {
	path, err := r.itemPath(id)
	if err != nil {
		return nil, nil, err
	}
	return r.send(ctx, http.MethodGet, path, nil)
}

// Create creates an item (POST collection/) and returns it as stored. It is not
// retried after a 5xx or a lost connection unless the client has WithRetryNonIdempotent.
func (r *resource[T, C, U, O]) Create(ctx context.Context, req *C) (*T, *Response, error) {
	if req == nil {
		return nil, nil, fmt.Errorf("%w: Create needs a request", ErrInvalidRequest)
	}
	return r.send(ctx, http.MethodPost, r.path, req)
}

// Update changes the fields set in req (PATCH collection/{id}/) and returns the item
// as stored; fields left nil are not sent.
func (r *resource[T, C, U, O]) Update(ctx context.Context, id int64, req *U) (*T, *Response, error) {
	if req == nil {
		return nil, nil, fmt.Errorf("%w: Update needs a request", ErrInvalidRequest)
	}
	path, err := r.itemPath(id)
	if err != nil {
		return nil, nil, err
	}
	return r.send(ctx, http.MethodPatch, path, req)
}

// Delete deletes an item by id (DELETE collection/{id}/).
func (r *resource[T, C, U, O]) Delete(ctx context.Context, id int64) (*Response, error) {
	path, err := r.itemPath(id)
	if err != nil {
		return nil, err
	}
	return r.client.do(ctx, call{method: http.MethodDelete, path: path})
}

func (r *resource[T, C, U, O]) send(ctx context.Context, method, path string, body any) (*T, *Response, error) {
	out := new(T)
	resp, err := r.client.do(ctx, call{method: method, path: path, body: body, out: out})
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// requestChecker is implemented by the options a call can refuse before sending:
// every filter, through the ListOptions it embeds.
type requestChecker interface {
	checkRequest() error
}

// listQuery checks and encodes list options with go-querystring; nil options are
// no query.
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
