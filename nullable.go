package whippyware

import (
	"encoding/json"
	"fmt"
)

// Nullable is a field of an update request that the service may store as null
// (a stock's period, a stock list's remote_id and stock_list_rule). It has three
// states, because a PATCH must tell "leave it" from "clear it":
//
//   - the zero Nullable is not sent: the field keeps its value;
//   - Value(v) sends v;
//   - Null[T]() sends null: the field is cleared.
//
// A pointer with omitempty cannot say null, hence this type. It is sent through
// the json tag option omitzero, which leaves out the zero Nullable.
type Nullable[T any] struct {
	value T
	state nullableState
}

type nullableState uint8

const (
	unset nullableState = iota
	set
	null
)

// Value returns a Nullable that sends v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: set} }

// Null returns a Nullable that sends null, clearing the field.
func Null[T any]() Nullable[T] { return Nullable[T]{state: null} }

// IsZero reports whether n is left out of the request (neither Value nor Null).
// encoding/json calls it for omitzero.
func (n Nullable[T]) IsZero() bool { return n.state == unset }

// IsNull reports whether n sends null.
func (n Nullable[T]) IsNull() bool { return n.state == null }

// Get returns the value n sends and true, or the zero T and false when n is
// null or left out.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == set }

// MarshalJSON sends the value or null. A Nullable left unset is only ever left
// out (its field needs omitzero): encoding it is an error rather than a null
// that would clear the field.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	switch n.state {
	case set:
		return json.Marshal(n.value)
	case null:
		return []byte("null"), nil
	}
	return nil, fmt.Errorf("%w: an unset Nullable is encoded: its field needs the json option omitzero", ErrInvalidRequest)
}

// String describes n for logs and test failures.
func (n Nullable[T]) String() string {
	switch n.state {
	case set:
		return fmt.Sprint(n.value)
	case null:
		return "null"
	}
	return "unset"
}
