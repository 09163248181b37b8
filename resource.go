package whippyware

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/google/go-querystring/query"
)

// resource implements the six calls every Whippy Ware collection answers, once for
// all five services. T is the record, C the create request, U the update request
// and O the list filter. Its methods are unexported: each service has concrete
// methods, generated into services_gen.go, that call them, so that the docs show
// concrete types and say which endpoint each method sends to.
//
//go:generate go run ./internal/gen -o services_gen.go
type resource[T, C, U, O any] struct {
	service
	path string // the collection, relative to the base URL, ending in "/"
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
	q, co, err := listRequest(opts, callOpts)
	if err != nil {
		return nil, nil, err
	}
	return r.listPage(ctx, q, co)
}

func (r *resource[T, C, U, O]) listPage(ctx context.Context, q url.Values, co callOptions) (*Page[T], *Response, error) {
	page := new(Page[T])
	resp, err := r.client.do(ctx, call{method: http.MethodGet, path: r.path, query: q, out: page, opts: co})
	if err != nil {
		return nil, resp, err
	}
	return page, resp, nil
}

// all iterates over every item opts selects, from opts.Page on (see paginate);
// callOpts apply to each page's request.
func (r *resource[T, C, U, O]) all(ctx context.Context, opts *O, callOpts []CallOption) iter.Seq2[*T, error] {
	q, co, err := listRequest(opts, callOpts)
	if err != nil {
		return func(yield func(*T, error) bool) { yield(nil, err) }
	}
	return paginate(ctx, q, func(ctx context.Context, q url.Values) (*Page[T], *Response, error) {
		return r.listPage(ctx, q, co)
	}, func(link []byte) []byte { return r.client.tokens.redact(link, heldKey{}) })
}

// get fetches one item by id (GET collection/{id}/).
func (r *resource[T, C, U, O]) get(ctx context.Context, id int64, callOpts []CallOption) (*T, *Response, error) {
	if err := checkID(id); err != nil {
		return nil, nil, err
	}
	return r.send(ctx, http.MethodGet, id, nil, callOpts)
}

// create creates an item (POST collection/) and returns it as stored.
func (r *resource[T, C, U, O]) create(ctx context.Context, req *C, callOpts []CallOption) (*T, *Response, error) {
	if req == nil {
		return nil, nil, fmt.Errorf("%w: Create needs a request", ErrInvalidRequest)
	}
	return r.send(ctx, http.MethodPost, 0, req, callOpts)
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
	return r.send(ctx, http.MethodPatch, id, req, callOpts)
}

// delete deletes an item by id (DELETE collection/{id}/).
func (r *resource[T, C, U, O]) delete(ctx context.Context, id int64, callOpts []CallOption) (*Response, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	co, err := newCallOptions(callOpts)
	if err != nil {
		return nil, err
	}
	return r.client.do(ctx, call{method: http.MethodDelete, path: r.path, id: id, opts: co})
}

// send sends method to the collection, or to its item id when id is above 0.
func (r *resource[T, C, U, O]) send(ctx context.Context, method string, id int64, body any, callOpts []CallOption) (*T, *Response, error) {
	co, err := newCallOptions(callOpts)
	if err != nil {
		return nil, nil, err
	}
	out := new(T)
	resp, err := r.client.do(ctx, call{method: method, path: r.path, id: id, body: body, out: out, opts: co})
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

// listRequest checks and encodes list options (nil options are no query) and the
// call's options.
func listRequest[O any](opts *O, callOpts []CallOption) (url.Values, callOptions, error) {
	co, err := newCallOptions(callOpts)
	if err != nil || opts == nil {
		return url.Values{}, co, err
	}
	if c, ok := any(opts).(requestChecker); ok {
		if err := c.checkRequest(); err != nil {
			return nil, co, err
		}
	}
	q, err := query.Values(opts)
	if err != nil {
		return nil, co, fmt.Errorf("%w: list options: %w", ErrInvalidRequest, err)
	}
	return q, co, nil
}
