package whippyware

// Stock is the quantity of one SKU at one location of one provider.
type Stock struct {
	Record
	SKU string `json:"sku"`
	// Provider is the provider's code (the reference calls it the provider's name).
	Provider string `json:"provider"`
	// Location is the stock location; the reference types it as an id and shows a
	// code such as "110", so it is kept as text.
	Location StringOrNumber `json:"location"`
	// Stock is the quantity on hand.
	Stock int64 `json:"stock"`
	// ReservedStock is held for orders not yet sent to the ERP or not yet preparing.
	ReservedStock int64 `json:"reserved_stock"`
	// Period is nil when the service sends null.
	Period    *DateOrTime `json:"period"`
	StockType string      `json:"stock_type"`
	UnitType  string      `json:"unit_type"`
}

// StockCreateRequest is the body of StocksService.Create. Stock is always sent, so
// a zero quantity is written as zero.
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
// sent.
type StockUpdateRequest struct {
	SKU           *string         `json:"sku,omitempty"`
	Provider      *string         `json:"provider,omitempty"`
	Location      *StringOrNumber `json:"location,omitempty"`
	Stock         *int64          `json:"stock,omitempty"`
	ReservedStock *int64          `json:"reserved_stock,omitempty"`
	Period        *DateOrTime     `json:"period,omitempty"`
	StockType     *string         `json:"stock_type,omitempty"`
	UnitType      *string         `json:"unit_type,omitempty"`
	IsActive      *bool           `json:"is_active,omitempty"`
}

// StockFilter filters StocksService.List and All.
type StockFilter struct {
	ListOptions
	SKU string `url:"sku,omitempty"`
	// Provider is a provider's code.
	Provider  string `url:"provider,omitempty"`
	Location  string `url:"location,omitempty"`
	StockType string `url:"stock_type,omitempty"`
	IsActive  *bool  `url:"is_active,omitempty"`
}

// StocksService reads and writes stock under api/v1/stocks/. List is documented;
// Get, Create, Update and Delete follow the Akinon REST convention (the brand's
// integration writes stock rows).
type StocksService struct {
	resource resource[Stock, StockCreateRequest, StockUpdateRequest, StockFilter]
}
