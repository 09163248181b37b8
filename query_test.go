package whippyware

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListQueryRefusesNegativePaging(t *testing.T) {
	_, err := listQuery(&StockFilter{ListOptions: ListOptions{Page: -1}})
	require.ErrorIs(t, err, ErrInvalidRequest)
}
