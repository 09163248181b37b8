package whippyware

import (
	"encoding/json"
	"time"
)

// Stock is the quantity of one SKU at one location of one provider, for one
// stock type. That is the row's identity: (SKU, Provider, Location, StockType) is
// unique, and two rows may share SKU, Provider and Location when their stock
// types differ. To find "the" row to update, filter by all four.
type Stock struct {
	Record
	SKU string `json:"sku"`
	// Provider is the provider's code (the reference calls it the provider's name).
	Provider string `json:"provider"`
	// Location is the stock location's code (the service names it by code, e.g.
	// "110"); the reference types it as an id and shows a code, so it decodes
	// from a number or a string and is kept as text.
	Location StringOrNumber `json:"location"`
	// Stock is the quantity on hand.
	Stock int64 `json:"stock"`
	// ReservedStock is held for orders not yet sent to the ERP or not yet preparing.
	ReservedStock int64 `json:"reserved_stock"`
	// Period is nil when the service sends null.
	Period *DateOrTime `json:"period"`
	// StockType is part of the row's identity; the service stores "standard"
	// when a create does not send one.
	StockType string `json:"stock_type"`
	UnitType  string `json:"unit_type"`
}

// StockCreateRequest is the body of StocksService.Create. Stock is always sent, so
// a zero quantity is written as zero.
//
// SKU, Provider, Location and StockType are the new row's identity: the service
// refuses a second row with the same four (a *ValidationError naming them), and
// stores StockType "standard" when it is left empty. Provider is the provider's
// code and Location the stock location's code (see StringOrNumber), never ids.
// Period is sent as a date (YYYY-MM-DD), the service's type for it: a timestamp
// is sent as its calendar date in its own location.
type StockCreateRequest struct {
	SKU           string         `json:"sku"`
	Provider      string         `json:"provider"`
	Location      StringOrNumber `json:"location"`
	Stock         int64          `json:"stock"`
	ReservedStock *int64         `json:"reserved_stock,omitempty"`
	Period        *DateOrTime    `json:"period,omitempty"`
	StockType     string         `json:"stock_type,omitempty"`
	UnitType      string         `json:"unit_type,omitempty"`
	IsActive      *bool          `json:"is_active,omitempty"`
}

// StockUpdateRequest is the body of StocksService.Update: only the fields set are
// sent. Location is a stock location's code, as in StockCreateRequest. Period is
// sent as a date like there, and Null[DateOrTime]() clears it.
type StockUpdateRequest struct {
	SKU           *string              `json:"sku,omitempty"`
	Provider      *string              `json:"provider,omitempty"`
	Location      *StringOrNumber      `json:"location,omitempty"`
	Stock         *int64               `json:"stock,omitempty"`
	ReservedStock *int64               `json:"reserved_stock,omitempty"`
	Period        Nullable[DateOrTime] `json:"period,omitzero"`
	StockType     *string              `json:"stock_type,omitempty"`
	UnitType      *string              `json:"unit_type,omitempty"`
	IsActive      *bool                `json:"is_active,omitempty"`
}

// MarshalJSON sends Period as a date; the other fields as tagged.
func (r StockCreateRequest) MarshalJSON() ([]byte, error) {
	type fields StockCreateRequest // the same fields without this method
	return json.Marshal(struct {
		fields
		Period *requestDate `json:"period,omitempty"` // shadows fields.Period
	}{fields(r), (*requestDate)(r.Period)})
}

// MarshalJSON sends Period as a date or null; the other fields as tagged.
func (r StockUpdateRequest) MarshalJSON() ([]byte, error) {
	type fields StockUpdateRequest // the same fields without this method
	return json.Marshal(struct {
		fields
		Period Nullable[requestDate] `json:"period,omitzero"` // shadows fields.Period
	}{fields(r), Nullable[requestDate]{requestDate(r.Period.value), r.Period.state}})
}

// requestDate is a DateOrTime as a request sends it: the service's period is a
// DateField, which refuses a timestamp with a 400, so only the calendar date goes.
type requestDate DateOrTime

func (d requestDate) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.Format(time.DateOnly))
}

// StockFilter filters StocksService.List and All. SKU, Provider, Location and
// StockType together select one stock row at most (they are its identity); any
// subset selects every row that matches it.
type StockFilter struct {
	ListOptions
	SKU string `url:"sku,omitempty"`
	// Provider is a provider's code.
	Provider string `url:"provider,omitempty"`
	// Location is a stock location's code, as a stock names it (not its id).
	Location string `url:"location,omitempty"`
	// StockType is matched exactly: leave it empty for every stock type, or set
	// "standard" for the rows created without one.
	StockType string `url:"stock_type,omitempty"`
	IsActive  *bool  `url:"is_active,omitempty"`
}
