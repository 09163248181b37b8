package whippyware

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-querystring/query"
)

// resource implements the six calls every Whippy Ware collection answers, once for
// all five services. T is the record, C the create request, U the update request
// and O the list filter. Its methods are unexported: each service type and its
// concrete methods, generated into services_gen.go, call them, so that the docs
// show concrete types and say which endpoint each method sends to.
//
//go:generate go run ./internal/gen -o services_gen.go
type resource[T, C, U any, O requestChecker] struct {
	client *Client
	path   string // the collection, relative to the base URL, ending in "/"
}

// checkID refuses an id the service never gives: ids start at 1.
func checkID(id int64) error {
	if id < 1 {
		return fmt.Errorf("%w: id %d: ids start at 1", ErrInvalidRequest, id)
	}
	return nil
}

// list fetches one page of the collection (GET collection/).
func (r *resource[T, C, U, O]) list(ctx context.Context, opts *O, callOpts []CallOption) (*Page[T], *Response, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, nil, err
	}
	return r.page(ctx, q, callOpts)
}

func (r *resource[T, C, U, O]) page(ctx context.Context, q url.Values, callOpts []CallOption) (*Page[T], *Response, error) {
	return doInto[Page[T]](ctx, r.client, call{method: http.MethodGet, path: r.path, query: q, callOpts: callOpts})
}

// get fetches one item by id (GET collection/{id}/).
func (r *resource[T, C, U, O]) get(ctx context.Context, id int64, callOpts []CallOption) (*T, *Response, error) {
	if err := checkID(id); err != nil {
		return nil, nil, err
	}
	return doInto[T](ctx, r.client, call{method: http.MethodGet, path: r.path, id: id, callOpts: callOpts})
}

// create creates an item (POST collection/) and returns it as stored.
func (r *resource[T, C, U, O]) create(ctx context.Context, req *C, callOpts []CallOption) (*T, *Response, error) {
	if req == nil {
		return nil, nil, fmt.Errorf("%w: Create needs a request", ErrInvalidRequest)
	}
	return doInto[T](ctx, r.client, call{method: http.MethodPost, path: r.path, body: req, callOpts: callOpts})
}

// update changes the fields set in req (PATCH collection/{id}/) and returns the
// item as stored.
func (r *resource[T, C, U, O]) update(ctx context.Context, id int64, req *U, callOpts []CallOption) (*T, *Response, error) {
	if req == nil {
		return nil, nil, fmt.Errorf("%w: Update needs a request", ErrInvalidRequest)
	}
	if err := checkID(id); err != nil {
		return nil, nil, err
	}
	return doInto[T](ctx, r.client, call{method: http.MethodPatch, path: r.path, id: id, body: req, callOpts: callOpts})
}

// delete deletes an item by id (DELETE collection/{id}/).
func (r *resource[T, C, U, O]) delete(ctx context.Context, id int64, callOpts []CallOption) (*Response, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return r.client.do(ctx, call{method: http.MethodDelete, path: r.path, id: id, callOpts: callOpts})
}

// requestChecker is implemented by the options a call can refuse before sending:
// every filter, through the ListOptions it embeds.
type requestChecker interface {
	checkRequest() error
}

// listQuery checks and encodes list options; nil options are no query.
func listQuery[O requestChecker](opts *O) (url.Values, error) {
	if opts == nil {
		return url.Values{}, nil
	}
	if err := (*opts).checkRequest(); err != nil {
		return nil, err
	}
	q, err := query.Values(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: list options: %w", ErrInvalidRequest, err)
	}
	return q, nil
}
