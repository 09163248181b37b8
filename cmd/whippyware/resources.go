package main

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/stocksync"
)

// resource describes one collection for its list and get commands.
type resource[T any] struct {
	name, plural string
	columns      []column[T]
	// addFilters declares the list's filter flags and returns the iterator over what
	// they select.
	addFilters func(cmd *cobra.Command, c func() *whippyware.Client) func(ctx context.Context) iter.Seq2[*T, error]
	get        func(ctx context.Context, c *whippyware.Client, id int64) (*T, error)
}

// listPage is what every list command asks for: the largest page the service serves.
var listPage = whippyware.ListOptions{Limit: stocksync.DefaultPageSize}

// command is "<plural> list" and "<plural> get ID".
func (r resource[T]) command(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: r.plural, Short: fmt.Sprintf("List %s or get one", r.plural)}
	var client *whippyware.Client
	list := &cobra.Command{Use: "list", Short: "List " + r.plural, Args: cobra.NoArgs}
	all := r.addFilters(list, func() *whippyware.Client { return client })
	list.RunE = func(cmd *cobra.Command, _ []string) (err error) {
		if client, err = a.client(); err != nil {
			return err
		}
		p, err := newPrinter(a.output, a.stdout, r.columns, false)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := p.close(); err == nil {
				err = cerr
			}
		}()
		for rec, err := range all(cmd.Context()) {
			if err != nil {
				return err
			}
			if err := p.print(rec); err != nil {
				return err
			}
		}
		return nil
	}
	get := &cobra.Command{Use: "get ID", Short: "Get one " + r.name + " by id", Args: cobra.ExactArgs(1)}
	get.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("%q is not an id (a whole number from 1)", args[0])
		}
		p, err := newPrinter(a.output, a.stdout, r.columns, true)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		rec, err := r.get(cmd.Context(), c, id)
		if err != nil {
			return err
		}
		if err := p.print(rec); err != nil {
			return err
		}
		return p.close()
	}
	cmd.AddCommand(list, get)
	return cmd
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stocksCommand(a *app) *cobra.Command {
	return resource[whippyware.Stock]{
		name: "stock", plural: "stocks",
		columns: []column[whippyware.Stock]{
			{"id", func(s *whippyware.Stock) string { return itoa(s.ID) }},
			{"sku", func(s *whippyware.Stock) string { return s.SKU }},
			{"provider", func(s *whippyware.Stock) string { return s.Provider }},
			{"location", func(s *whippyware.Stock) string { return s.Location.String() }},
			{"stock_type", func(s *whippyware.Stock) string { return s.StockType }},
			{"stock", func(s *whippyware.Stock) string { return itoa(s.Stock) }},
			{"reserved_stock", func(s *whippyware.Stock) string { return itoa(s.ReservedStock) }},
			{"unit_type", func(s *whippyware.Stock) string { return s.UnitType }},
			{"period", func(s *whippyware.Stock) string {
				if s.Period == nil {
					return ""
				}
				b, _ := s.Period.MarshalJSON()
				return string(b[1 : len(b)-1])
			}},
		},
		addFilters: func(cmd *cobra.Command, c func() *whippyware.Client) func(context.Context) iter.Seq2[*whippyware.Stock, error] {
			f := &whippyware.StockFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.SKU, "sku", "", "only this SKU")
			cmd.Flags().StringVar(&f.Provider, "provider", "", "only this provider (its code)")
			cmd.Flags().StringVar(&f.Location, "location", "", "only this location (its code)")
			cmd.Flags().StringVar(&f.StockType, "stock-type", "", "only this stock type")
			return func(ctx context.Context) iter.Seq2[*whippyware.Stock, error] { return c().Stocks.All(ctx, f) }
		},
		get: func(ctx context.Context, c *whippyware.Client, id int64) (*whippyware.Stock, error) {
			s, _, err := c.Stocks.Get(ctx, id)
			return s, err
		},
	}.command(a)
}

func providersCommand(a *app) *cobra.Command {
	return resource[whippyware.Provider]{
		name: "provider", plural: "providers",
		columns: []column[whippyware.Provider]{
			{"id", func(p *whippyware.Provider) string { return itoa(p.ID) }},
			{"code", func(p *whippyware.Provider) string { return p.Code }},
			{"name", func(p *whippyware.Provider) string { return p.Name }},
			{"should_add_reservations", func(p *whippyware.Provider) string { return strconv.FormatBool(p.ShouldAddReservations) }},
			{"is_active", func(p *whippyware.Provider) string { return strconv.FormatBool(p.IsActive) }},
		},
		addFilters: func(cmd *cobra.Command, c func() *whippyware.Client) func(context.Context) iter.Seq2[*whippyware.Provider, error] {
			f := &whippyware.ProviderFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the provider with this code")
			return func(ctx context.Context) iter.Seq2[*whippyware.Provider, error] { return c().Providers.All(ctx, f) }
		},
		get: func(ctx context.Context, c *whippyware.Client, id int64) (*whippyware.Provider, error) {
			p, _, err := c.Providers.Get(ctx, id)
			return p, err
		},
	}.command(a)
}

func locationsCommand(a *app) *cobra.Command {
	return resource[whippyware.StockLocation]{
		name: "stock location", plural: "locations",
		columns: []column[whippyware.StockLocation]{
			{"id", func(l *whippyware.StockLocation) string { return itoa(l.ID) }},
			{"code", func(l *whippyware.StockLocation) string { return l.Code }},
			{"name", func(l *whippyware.StockLocation) string { return l.Name }},
			{"provider", func(l *whippyware.StockLocation) string { return itoa(l.Provider) }},
			{"is_active", func(l *whippyware.StockLocation) string { return strconv.FormatBool(l.IsActive) }},
		},
		addFilters: func(cmd *cobra.Command, c func() *whippyware.Client) func(context.Context) iter.Seq2[*whippyware.StockLocation, error] {
			f := &whippyware.StockLocationFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the location with this code")
			cmd.Flags().Int64Var(&f.Provider, "provider", 0, "only the locations of this provider (its id)")
			return func(ctx context.Context) iter.Seq2[*whippyware.StockLocation, error] {
				return c().StockLocations.All(ctx, f)
			}
		},
		get: func(ctx context.Context, c *whippyware.Client, id int64) (*whippyware.StockLocation, error) {
			l, _, err := c.StockLocations.Get(ctx, id)
			return l, err
		},
	}.command(a)
}

func rulesCommand(a *app) *cobra.Command {
	return resource[whippyware.StockListRule]{
		name: "stock list rule", plural: "rules",
		columns: []column[whippyware.StockListRule]{
			{"id", func(r *whippyware.StockListRule) string { return itoa(r.ID) }},
			{"name", func(r *whippyware.StockListRule) string { return r.Name }},
			{"rule_type", func(r *whippyware.StockListRule) string { return r.RuleType }},
			{"rule", func(r *whippyware.StockListRule) string { return string(r.Rule) }},
			{"is_active", func(r *whippyware.StockListRule) string { return strconv.FormatBool(r.IsActive) }},
		},
		addFilters: func(cmd *cobra.Command, c func() *whippyware.Client) func(context.Context) iter.Seq2[*whippyware.StockListRule, error] {
			f := &whippyware.StockListRuleFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Name, "name", "", "only the rules with this name")
			return func(ctx context.Context) iter.Seq2[*whippyware.StockListRule, error] {
				return c().StockListRules.All(ctx, f)
			}
		},
		get: func(ctx context.Context, c *whippyware.Client, id int64) (*whippyware.StockListRule, error) {
			r, _, err := c.StockListRules.Get(ctx, id)
			return r, err
		},
	}.command(a)
}

func listsCommand(a *app) *cobra.Command {
	return resource[whippyware.StockList]{
		name: "stock list", plural: "lists",
		columns: []column[whippyware.StockList]{
			{"id", func(l *whippyware.StockList) string { return itoa(l.ID) }},
			{"code", func(l *whippyware.StockList) string { return l.Code }},
			{"name", func(l *whippyware.StockList) string { return l.Name }},
			{"remote_id", func(l *whippyware.StockList) string { return itoa(l.RemoteID) }},
			{"stock_list_rule", func(l *whippyware.StockList) string { return l.StockListRule.String() }},
			{"is_active", func(l *whippyware.StockList) string { return strconv.FormatBool(l.IsActive) }},
		},
		addFilters: func(cmd *cobra.Command, c func() *whippyware.Client) func(context.Context) iter.Seq2[*whippyware.StockList, error] {
			f := &whippyware.StockListFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the stock list with this code")
			return func(ctx context.Context) iter.Seq2[*whippyware.StockList, error] { return c().StockLists.All(ctx, f) }
		},
		get: func(ctx context.Context, c *whippyware.Client, id int64) (*whippyware.StockList, error) {
			l, _, err := c.StockLists.Get(ctx, id)
			return l, err
		},
	}.command(a)
}
