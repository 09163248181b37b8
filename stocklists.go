package whippyware

// StockList ties a stock list in Omnitron (RemoteID) to a stock list rule.
type StockList struct {
	Record
	Code string `json:"code"`
	Name string `json:"name"`
	// RemoteID is the id of the stock list in Omnitron.
	RemoteID int64 `json:"remote_id"`
	// StockListRule is the id of the rule (not a code), "" when the list has
	// none; the reference shows it as a number and types it as a string, so it
	// decodes from either (see StringOrNumber.Int64).
	StockListRule StringOrNumber `json:"stock_list_rule"`
}

// StockListCreateRequest is the body of StockListsService.Create. Code and Name are
// required. StockListRule is a rule's id (StockListRule.ID), sent as a number.
type StockListCreateRequest struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	RemoteID      *int64 `json:"remote_id,omitempty"`
	StockListRule *int64 `json:"stock_list_rule,omitempty"`
	IsActive      *bool  `json:"is_active,omitempty"`
}

// StockListUpdateRequest is the body of StockListsService.Update: only the fields
// set are sent. RemoteID and StockListRule may be cleared with Null[int64]();
// StockListRule is a rule's id.
type StockListUpdateRequest struct {
	Code          *string         `json:"code,omitempty"`
	Name          *string         `json:"name,omitempty"`
	RemoteID      Nullable[int64] `json:"remote_id,omitzero"`
	StockListRule Nullable[int64] `json:"stock_list_rule,omitzero"`
	IsActive      *bool           `json:"is_active,omitempty"`
}

// StockListFilter filters StockListsService.List and All.
type StockListFilter struct {
	ListOptions
	Code     string `url:"code,omitempty"`
	Name     string `url:"name,omitempty"`
	IsActive *bool  `url:"is_active,omitempty"`
}
