package whippyware

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListQueryRefusesNegativePaging(t *testing.T) {
	_, err := listQuery(&StockFilter{ListOptions: ListOptions{Page: -1}})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

// TestNegativePageOrLimitSendsNothing: the service answers a negative page with a
// 404 and ignores a negative limit; the client refuses both before sending, in List
// and All of every resource.
func TestNegativePageOrLimitSendsNothing(t *testing.T) {
	for _, lo := range []ListOptions{{Page: -1}, {Limit: -5}, {Page: -2, Limit: 10}} {
		calls := map[string]func(context.Context, *Client) error{
			"Stocks.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.Stocks.List(ctx, &StockFilter{ListOptions: lo})
				return err
			},
			"Providers.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.Providers.List(ctx, &ProviderFilter{ListOptions: lo})
				return err
			},
			"StockLocations.All": func(ctx context.Context, c *Client) error {
				for _, err := range c.StockLocations.All(ctx, &StockLocationFilter{ListOptions: lo, Provider: 1}) {
					return err
				}
				return nil
			},
			"StockLists.All": func(ctx context.Context, c *Client) error {
				for _, err := range c.StockLists.All(ctx, &StockListFilter{ListOptions: lo}) {
					return err
				}
				return nil
			},
			"StockListRules.List": func(ctx context.Context, c *Client) error {
				_, _, err := c.StockListRules.List(ctx, &StockListRuleFilter{ListOptions: lo})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				c, mock := newKeyClient(t) // any request fails the test
				err := call(context.Background(), c)
				require.ErrorIs(t, err, ErrInvalidRequest, "page %d, limit %d", lo.Page, lo.Limit)
				assert.Equal(t, 0, mock.GetTotalCallCount())
			})
		}
	}
}
