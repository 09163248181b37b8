package main

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/stocksync"
)

// service is what every service of the client offers for one collection: T is the record,
// C the create request, U the update request and F the list filter.
type service[T, C, U, F any] interface {
	All(ctx context.Context, opts *F, callOpts ...whippyware.CallOption) iter.Seq2[*T, error]
	Get(ctx context.Context, id int64, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Create(ctx context.Context, req *C, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Update(ctx context.Context, id int64, req *U, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Delete(ctx context.Context, id int64, callOpts ...whippyware.CallOption) (*whippyware.Response, error)
}

// resource describes one collection for its commands: list, get, create, update, delete.
type resource[T, C, U, F any] struct {
	name, plural string
	// path is the collection's path under the base URL, for --dry-run's lines.
	path string
	// note is said in create's and update's help, e.g. which fields take a code.
	note    string
	columns []column[T]
	// csvColumns, when not nil, are the columns of -o csv.
	csvColumns []column[T]
	// filter declares the list's filter flags and returns the filter they fill.
	filter func(cmd *cobra.Command) *F
	// resolveFilter, when not nil, completes the filter before the list is asked for
	// (a location's provider code becomes the id the service filters on).
	resolveFilter func(ctx context.Context, c *whippyware.Client, f *F) error
	// prepare, when not nil, runs before records are printed as a table or CSV (JSON is
	// the service's shape): a location's provider column looks up the providers' codes.
	prepare  func(ctx context.Context, c *whippyware.Client) error
	service  func(*whippyware.Client) service[T, C, U, F]
	id       func(*T) int64
	fields   []field
	toCreate func(record) *C
	toUpdate func(record) *U
}

// listPage is what every list command asks for: the largest page the service serves.
var listPage = whippyware.ListOptions{Limit: stocksync.DefaultPageSize}

// command is "<plural>" with list, get, create, update and delete under it.
func (r resource[T, C, U, F]) command(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: r.plural, Short: fmt.Sprintf("List, get, create, update or delete %s", r.plural)}
	list := &cobra.Command{Use: "list", Short: "List " + r.plural, Args: cobra.NoArgs,
		Long: "List " + r.plural + ". The list is printed once every page was read: if one fails, nothing is printed."}
	filter := r.filter(list)
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		p, err := newPrinter(a.output, r.columns, r.csvColumns, false)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		if r.resolveFilter != nil {
			if err := r.resolveFilter(cmd.Context(), c, filter); err != nil {
				return err
			}
		}
		if err := r.prepared(cmd.Context(), a, c); err != nil {
			return err
		}
		for rec, err := range r.service(c).All(cmd.Context(), filter) {
			if err != nil {
				return err
			}
			if err := p.print(rec); err != nil {
				return err
			}
		}
		return p.write(a.stdout)
	}
	get := &cobra.Command{Use: "get ID", Short: "Get one " + r.name + " by id (the service's id, as list prints it)", Args: cobra.ExactArgs(1)}
	get.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := parseID(args[0])
		if err != nil {
			return err
		}
		p, err := newPrinter(a.output, r.columns, r.csvColumns, true)
		if err != nil {
			return err
		}
		c, err := a.client()
		if err != nil {
			return err
		}
		if err := r.prepared(cmd.Context(), a, c); err != nil {
			return err
		}
		rec, _, err := r.service(c).Get(cmd.Context(), id)
		if err != nil {
			return err
		}
		if err := p.print(rec); err != nil {
			return err
		}
		return p.write(a.stdout)
	}
	cmd.AddCommand(list, get, r.createCommand(a), r.updateCommand(a), r.deleteCommand(a))
	return cmd
}

// prepared runs r.prepare for table and CSV output.
func (r resource[T, C, U, F]) prepared(ctx context.Context, a *app, c *whippyware.Client) error {
	if r.prepare == nil || a.output == "json" {
		return nil
	}
	return r.prepare(ctx, c)
}

// requiredNames lists the flags create needs.
func (r resource[T, C, U, F]) requiredNames() string {
	var s string
	for _, f := range r.fields {
		if f.required {
			if s != "" {
				s += ", "
			}
			s += "--" + f.flag
		}
	}
	return s
}

// missing returns the required fields rec lacks, as flags.
func (r resource[T, C, U, F]) missing(rec record) []string {
	var out []string
	for _, f := range r.fields {
		if _, ok := rec.values[f.name]; f.required && !ok {
			out = append(out, fmt.Sprintf("%s (--%s)", f.name, f.flag))
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// stockColumns are the columns sync reads, in its order, for -o csv: an exported file,
// edited, syncs back. id and the timestamps are left out; they are not sync's to write.
var stockColumns = []column[whippyware.Stock]{
	{"sku", func(s *whippyware.Stock) string { return s.SKU }},
	{"provider", func(s *whippyware.Stock) string { return s.Provider }},
	{"location", func(s *whippyware.Stock) string { return s.Location.String() }},
	{"quantity", func(s *whippyware.Stock) string { return itoa(s.Stock) }},
	{"stock_type", func(s *whippyware.Stock) string { return s.StockType }},
	{"reserved_stock", func(s *whippyware.Stock) string { return itoa(s.ReservedStock) }},
	{"unit_type", func(s *whippyware.Stock) string { return s.UnitType }},
	{"period", func(s *whippyware.Stock) string {
		if s.Period == nil || s.Period.IsZero() {
			return ""
		}
		// The service's period is a date; sync reads YYYY-MM-DD.
		return s.Period.Format(time.DateOnly)
	}},
}

func stocksCommand(a *app) *cobra.Command {
	return resource[whippyware.Stock, whippyware.StockCreateRequest, whippyware.StockUpdateRequest, whippyware.StockFilter]{
		name: "stock", plural: "stocks", path: "api/v1/stocks/",
		note: "--provider and --location are codes, as in sync's CSV; a file may call stock \"quantity\", as sync does.\n",
		columns: []column[whippyware.Stock]{
			{"id", func(s *whippyware.Stock) string { return itoa(s.ID) }},
			{"sku", func(s *whippyware.Stock) string { return s.SKU }},
			{"provider", func(s *whippyware.Stock) string { return s.Provider }},
			{"location", func(s *whippyware.Stock) string { return s.Location.String() }},
			{"stock_type", func(s *whippyware.Stock) string { return s.StockType }},
			{"stock", func(s *whippyware.Stock) string { return itoa(s.Stock) }},
			{"reserved_stock", func(s *whippyware.Stock) string { return itoa(s.ReservedStock) }},
			{"unit_type", func(s *whippyware.Stock) string { return s.UnitType }},
			{"period", stockColumns[7].value},
		},
		csvColumns: stockColumns,
		filter: func(cmd *cobra.Command) *whippyware.StockFilter {
			f := &whippyware.StockFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.SKU, "sku", "", "only this SKU")
			cmd.Flags().StringVar(&f.Provider, "provider", "", "only this provider (its code)")
			cmd.Flags().StringVar(&f.Location, "location", "", "only this location (its code)")
			cmd.Flags().StringVar(&f.StockType, "stock-type", "", "only this stock type")
			return f
		},
		service: func(c *whippyware.Client) service[whippyware.Stock, whippyware.StockCreateRequest, whippyware.StockUpdateRequest, whippyware.StockFilter] {
			return c.Stocks
		},
		id: func(s *whippyware.Stock) int64 { return s.ID },
		fields: []field{
			{name: "sku", flag: "sku", usage: "the SKU", required: true},
			{name: "provider", flag: "provider", usage: "the provider's code", required: true},
			{name: "location", flag: "location", usage: "the stock location's code", required: true},
			{name: "stock", flag: "stock", kind: integerField, usage: "the quantity on hand", required: true, alias: "quantity"},
			{name: "stock_type", flag: "stock-type", usage: `the stock type (the service stores "standard" when none is given)`},
			{name: "reserved_stock", flag: "reserved-stock", kind: integerField, usage: "the quantity reserved for orders"},
			{name: "unit_type", flag: "unit-type", usage: "the unit type, e.g. qty"},
			{name: "period", flag: "period", kind: dateField, nullable: true, usage: "the period, YYYY-MM-DD"},
			activeField,
		},
		toCreate: func(r record) *whippyware.StockCreateRequest {
			return &whippyware.StockCreateRequest{SKU: r.str("sku"), Provider: r.str("provider"),
				Location: whippyware.StringOrNumber(r.str("location")), Stock: r.int("stock"), ReservedStock: r.intPtr("reserved_stock"),
				Period: r.date("period"), StockType: r.str("stock_type"), UnitType: r.str("unit_type"), IsActive: r.boolPtr("is_active")}
		},
		toUpdate: func(r record) *whippyware.StockUpdateRequest {
			req := &whippyware.StockUpdateRequest{SKU: r.strPtr("sku"), Provider: r.strPtr("provider"),
				Stock: r.intPtr("stock"), ReservedStock: r.intPtr("reserved_stock"), Period: nullable[whippyware.DateOrTime](r, "period"),
				StockType: r.strPtr("stock_type"), UnitType: r.strPtr("unit_type"), IsActive: r.boolPtr("is_active")}
			if l := r.strPtr("location"); l != nil {
				req.Location = (*whippyware.StringOrNumber)(l)
			}
			return req
		},
	}.command(a)
}

func providersCommand(a *app) *cobra.Command {
	return resource[whippyware.Provider, whippyware.ProviderCreateRequest, whippyware.ProviderUpdateRequest, whippyware.ProviderFilter]{
		name: "provider", plural: "providers", path: "api/v1/providers/",
		note: "The code must be the one the brand's systems send with stock (sync's provider column).\n",
		columns: []column[whippyware.Provider]{
			{"id", func(p *whippyware.Provider) string { return itoa(p.ID) }},
			{"code", func(p *whippyware.Provider) string { return p.Code }},
			{"name", func(p *whippyware.Provider) string { return p.Name }},
			{"should_add_reservations", func(p *whippyware.Provider) string { return strconv.FormatBool(p.ShouldAddReservations) }},
			{"is_active", func(p *whippyware.Provider) string { return strconv.FormatBool(p.IsActive) }},
		},
		filter: func(cmd *cobra.Command) *whippyware.ProviderFilter {
			f := &whippyware.ProviderFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the provider with this code")
			return f
		},
		service: func(c *whippyware.Client) service[whippyware.Provider, whippyware.ProviderCreateRequest, whippyware.ProviderUpdateRequest, whippyware.ProviderFilter] {
			return c.Providers
		},
		id: func(p *whippyware.Provider) int64 { return p.ID },
		fields: []field{
			{name: "code", flag: "code", usage: "the provider's code", required: true},
			{name: "name", flag: "name", usage: "the provider's name", required: true},
			{name: "should_add_reservations", flag: "should-add-reservations", kind: booleanField, usage: "whether reservations count for its stock"},
			activeField,
		},
		toCreate: func(r record) *whippyware.ProviderCreateRequest {
			return &whippyware.ProviderCreateRequest{Name: r.str("name"), Code: r.str("code"),
				ShouldAddReservations: r.boolPtr("should_add_reservations"), IsActive: r.boolPtr("is_active")}
		},
		toUpdate: func(r record) *whippyware.ProviderUpdateRequest {
			return &whippyware.ProviderUpdateRequest{Name: r.strPtr("name"), Code: r.strPtr("code"),
				ShouldAddReservations: r.boolPtr("should_add_reservations"), IsActive: r.boolPtr("is_active")}
		},
	}.command(a)
}

func locationsCommand(a *app) *cobra.Command {
	var provider string // list's --provider, a code
	// codes are the providers' codes by id: table and CSV output name a location's provider
	// by its code, as create and update -f read it. An id read back as a code would name
	// another provider, or one whose code is that number.
	codes := map[int64]string{}
	return resource[whippyware.StockLocation, whippyware.StockLocationCreateRequest, whippyware.StockLocationUpdateRequest, whippyware.StockLocationFilter]{
		name: "stock location", plural: "locations", path: "api/v1/stock-locations/",
		note: "--provider is the provider's code (in a JSON file, a number is its id); table and CSV output name it by\ncode too. The location's code is what sync's location column and a stock's location name.\n",
		columns: []column[whippyware.StockLocation]{
			{"id", func(l *whippyware.StockLocation) string { return itoa(l.ID) }},
			{"code", func(l *whippyware.StockLocation) string { return l.Code }},
			{"name", func(l *whippyware.StockLocation) string { return l.Name }},
			// Empty for a provider made since the codes were read: an empty cell changes nothing.
			{"provider", func(l *whippyware.StockLocation) string { return codes[l.Provider] }},
			{"is_active", func(l *whippyware.StockLocation) string { return strconv.FormatBool(l.IsActive) }},
		},
		filter: func(cmd *cobra.Command) *whippyware.StockLocationFilter {
			f := &whippyware.StockLocationFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the location with this code")
			cmd.Flags().StringVar(&provider, "provider", "", "only the locations of this provider (its code)")
			return f
		},
		resolveFilter: func(ctx context.Context, c *whippyware.Client, f *whippyware.StockLocationFilter) error {
			if provider == "" {
				return nil
			}
			// The service filters locations by the provider's id.
			id, err := providerID(ctx, c, provider)
			if err != nil {
				return fmt.Errorf("--provider: %w", err)
			}
			f.Provider = id
			return nil
		},
		prepare: func(ctx context.Context, c *whippyware.Client) error {
			for p, err := range c.Providers.All(ctx, &whippyware.ProviderFilter{ListOptions: listPage}) {
				if err != nil {
					return fmt.Errorf("reading the providers' codes: %w", err)
				}
				codes[p.ID] = p.Code
			}
			return nil
		},
		service: func(c *whippyware.Client) service[whippyware.StockLocation, whippyware.StockLocationCreateRequest, whippyware.StockLocationUpdateRequest, whippyware.StockLocationFilter] {
			return c.StockLocations
		},
		id: func(l *whippyware.StockLocation) int64 { return l.ID },
		fields: []field{
			{name: "code", flag: "code", usage: "the location's code", required: true},
			{name: "name", flag: "name", usage: "the location's name", required: true},
			{name: "provider", flag: "provider", kind: providerCodeField, usage: "the code of the provider that owns it", required: true},
			activeField,
		},
		toCreate: func(r record) *whippyware.StockLocationCreateRequest {
			return &whippyware.StockLocationCreateRequest{Name: r.str("name"), Code: r.str("code"), Provider: r.int("provider"), IsActive: r.boolPtr("is_active")}
		},
		toUpdate: func(r record) *whippyware.StockLocationUpdateRequest {
			return &whippyware.StockLocationUpdateRequest{Name: r.strPtr("name"), Code: r.strPtr("code"), Provider: r.intPtr("provider"), IsActive: r.boolPtr("is_active")}
		},
	}.command(a)
}

func rulesCommand(a *app) *cobra.Command {
	return resource[whippyware.StockListRule, whippyware.StockListRuleCreateRequest, whippyware.StockListRuleUpdateRequest, whippyware.StockListRuleFilter]{
		name: "stock list rule", plural: "rules", path: "api/v1/stock-list-rules/",
		note: "Rules have no code: stock lists name them by id.\n",
		columns: []column[whippyware.StockListRule]{
			{"id", func(r *whippyware.StockListRule) string { return itoa(r.ID) }},
			{"name", func(r *whippyware.StockListRule) string { return r.Name }},
			{"rule_type", func(r *whippyware.StockListRule) string { return r.RuleType }},
			{"rule", func(r *whippyware.StockListRule) string { return string(r.Rule) }},
			{"is_active", func(r *whippyware.StockListRule) string { return strconv.FormatBool(r.IsActive) }},
		},
		filter: func(cmd *cobra.Command) *whippyware.StockListRuleFilter {
			f := &whippyware.StockListRuleFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Name, "name", "", "only the rules with this name")
			return f
		},
		service: func(c *whippyware.Client) service[whippyware.StockListRule, whippyware.StockListRuleCreateRequest, whippyware.StockListRuleUpdateRequest, whippyware.StockListRuleFilter] {
			return c.StockListRules
		},
		id: func(r *whippyware.StockListRule) int64 { return r.ID },
		fields: []field{
			{name: "name", flag: "name", usage: "the rule's name", required: true},
			{name: "rule_type", flag: "rule-type", usage: "the rule's type, e.g. sql", required: true},
			{name: "rule", flag: "rule", kind: objectField, usage: `the rule, a JSON object, e.g. '{"providers": ["erp_main"]}'`},
			activeField,
		},
		toCreate: func(r record) *whippyware.StockListRuleCreateRequest {
			return &whippyware.StockListRuleCreateRequest{Name: r.str("name"), RuleType: r.str("rule_type"), Rule: r.raw("rule"), IsActive: r.boolPtr("is_active")}
		},
		toUpdate: func(r record) *whippyware.StockListRuleUpdateRequest {
			return &whippyware.StockListRuleUpdateRequest{Name: r.strPtr("name"), RuleType: r.strPtr("rule_type"), Rule: r.raw("rule"), IsActive: r.boolPtr("is_active")}
		},
	}.command(a)
}

func listsCommand(a *app) *cobra.Command {
	return resource[whippyware.StockList, whippyware.StockListCreateRequest, whippyware.StockListUpdateRequest, whippyware.StockListFilter]{
		name: "stock list", plural: "lists", path: "api/v1/stock-lists/",
		note: "--rule-id is the id of a stock list rule (rules have no code).\n",
		columns: []column[whippyware.StockList]{
			{"id", func(l *whippyware.StockList) string { return itoa(l.ID) }},
			{"code", func(l *whippyware.StockList) string { return l.Code }},
			{"name", func(l *whippyware.StockList) string { return l.Name }},
			// The client reads the service's null as 0; printed as 0, an exported file sent
			// back to update -f would set it.
			{"remote_id", func(l *whippyware.StockList) string {
				if l.RemoteID == 0 {
					return ""
				}
				return itoa(l.RemoteID)
			}},
			{"stock_list_rule", func(l *whippyware.StockList) string { return l.StockListRule.String() }},
			{"is_active", func(l *whippyware.StockList) string { return strconv.FormatBool(l.IsActive) }},
		},
		filter: func(cmd *cobra.Command) *whippyware.StockListFilter {
			f := &whippyware.StockListFilter{ListOptions: listPage}
			cmd.Flags().StringVar(&f.Code, "code", "", "only the stock list with this code")
			return f
		},
		service: func(c *whippyware.Client) service[whippyware.StockList, whippyware.StockListCreateRequest, whippyware.StockListUpdateRequest, whippyware.StockListFilter] {
			return c.StockLists
		},
		id: func(l *whippyware.StockList) int64 { return l.ID },
		fields: []field{
			{name: "code", flag: "code", usage: "the stock list's code", required: true},
			{name: "name", flag: "name", usage: "the stock list's name", required: true},
			{name: "remote_id", flag: "remote-id", kind: integerField, nullable: true, usage: "the id of the stock list in Omnitron"},
			{name: "stock_list_rule", flag: "rule-id", kind: integerField, nullable: true, usage: "the id of its stock list rule"},
			activeField,
		},
		toCreate: func(r record) *whippyware.StockListCreateRequest {
			return &whippyware.StockListCreateRequest{Code: r.str("code"), Name: r.str("name"), RemoteID: r.intPtr("remote_id"),
				StockListRule: r.intPtr("stock_list_rule"), IsActive: r.boolPtr("is_active")}
		},
		toUpdate: func(r record) *whippyware.StockListUpdateRequest {
			return &whippyware.StockListUpdateRequest{Code: r.strPtr("code"), Name: r.strPtr("name"), RemoteID: nullable[int64](r, "remote_id"),
				StockListRule: nullable[int64](r, "stock_list_rule"), IsActive: r.boolPtr("is_active")}
		},
	}.command(a)
}
