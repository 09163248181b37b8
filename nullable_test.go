package whippyware

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNullableStates(t *testing.T) {
	var unsetValue Nullable[int64]
	v, ok := unsetValue.Get()
	assert.True(t, unsetValue.IsZero())
	assert.False(t, unsetValue.IsNull())
	assert.False(t, ok)
	assert.Zero(t, v)

	v, ok = Value(int64(0)).Get()
	assert.False(t, Value(int64(0)).IsZero(), "an explicit zero is sent")
	assert.True(t, ok)
	assert.Zero(t, v)

	assert.True(t, Null[int64]().IsNull())
	assert.False(t, Null[int64]().IsZero())
	assert.Equal(t, "unset null 7", unsetValue.String()+" "+Null[int64]().String()+" "+Value(int64(7)).String())
}

// A Nullable in a struct without omitzero must not turn "leave it" into "clear
// it": encoding an unset one is an error, not null.
func TestNullableUnsetWithoutOmitzeroIsRefused(t *testing.T) {
	_, err := json.Marshal(struct {
		RemoteID Nullable[int64] `json:"remote_id"`
	}{})
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "omitzero")

	body, err := json.Marshal(struct {
		RemoteID Nullable[int64] `json:"remote_id,omitzero"`
	}{})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(body))
}
