package whippywaretest

import "encoding/json"

// The record types are the fake's own wire shapes (the fixtures' in testdata/), not the SDK's,
// so that the fake checks the SDK; timestamps are strings as the service writes them, e.g.
// 2023-05-10T13:37:18.209869+03:00.

// Provider is a provider (a warehouse or stock source) as GET /api/v1/providers/{id}/ answers it.
type Provider struct {
	ID                    int64  `json:"id"`
	CreatedDate           string `json:"created_date"`
	ModifiedDate          string `json:"modified_date"`
	IsActive              bool   `json:"is_active"`
	Name                  string `json:"name"`
	Code                  string `json:"code"`
	ShouldAddReservations bool   `json:"should_add_reservations"`
}

// StockLocation is a stock location (a warehouse or store) of a provider.
type StockLocation struct {
	ID           int64  `json:"id"`
	CreatedDate  string `json:"created_date"`
	ModifiedDate string `json:"modified_date"`
	IsActive     bool   `json:"is_active"`
	Name         string `json:"name"`
	Code         string `json:"code"`
	// Provider is the id of the provider that owns the location.
	Provider int64 `json:"provider"`
}

// StockListRule is a rule that says how a stock list combines stock.
type StockListRule struct {
	ID           int64  `json:"id"`
	CreatedDate  string `json:"created_date"`
	ModifiedDate string `json:"modified_date"`
	IsActive     bool   `json:"is_active"`
	Name         string `json:"name"`
	// Rule is a free-form JSON object; nil is stored as {}.
	Rule     json.RawMessage `json:"rule"`
	RuleType string          `json:"rule_type"`
}

// StockList ties a stock list in Omnitron to a stock list rule.
type StockList struct {
	ID           int64  `json:"id"`
	CreatedDate  string `json:"created_date"`
	ModifiedDate string `json:"modified_date"`
	IsActive     bool   `json:"is_active"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	// RemoteID is the id of the stock list in Omnitron, or nil.
	RemoteID *int64 `json:"remote_id"`
	// StockListRule is the id of the rule, or nil.
	StockListRule *int64 `json:"stock_list_rule"`
}

// Stock is the quantity of one SKU at one location of one provider for one stock type: (SKU,
// Provider, Location, StockType) is unique. Its fields are in the order the service answers
// them (the documented example's).
type Stock struct {
	ID           int64  `json:"id"`
	CreatedDate  string `json:"created_date"`
	ModifiedDate string `json:"modified_date"`
	// Period is nil or a date, "2023-05-10".
	Period    *string `json:"period"`
	StockType string  `json:"stock_type"`
	UnitType  string  `json:"unit_type"`
	// Provider is the provider's code, as the service names it.
	Provider string `json:"provider"`
	// Location is the location's code, a string, as the documented example shows it ("110");
	// WithStockLocationByID answers the location's id instead, but Stocks still reads codes.
	Location      string `json:"location"`
	Stock         int64  `json:"stock"`
	ReservedStock int64  `json:"reserved_stock"`
	IsActive      bool   `json:"is_active"`
	SKU           string `json:"sku"`
}

// head points at the fields every record has, so that one generic table and one generic
// handler serve all five resources.
type head struct {
	id                *int64
	created, modified *string
	active            *bool
}

func (p *Provider) head() head      { return head{&p.ID, &p.CreatedDate, &p.ModifiedDate, &p.IsActive} }
func (l *StockLocation) head() head { return head{&l.ID, &l.CreatedDate, &l.ModifiedDate, &l.IsActive} }
func (r *StockListRule) head() head { return head{&r.ID, &r.CreatedDate, &r.ModifiedDate, &r.IsActive} }
func (l *StockList) head() head     { return head{&l.ID, &l.CreatedDate, &l.ModifiedDate, &l.IsActive} }
func (s *Stock) head() head         { return head{&s.ID, &s.CreatedDate, &s.ModifiedDate, &s.IsActive} }

// record is the constraint the generic table and handler work with: a pointer to a record type.
type record[T any] interface {
	*T
	head() head
}
