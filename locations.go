package whippyware

// StockLocation is a warehouse or store of a provider. Name and Code often look
// like numbers ("110") and stay strings; Code is unique.
type StockLocation struct {
	Record
	Name string `json:"name"`
	Code string `json:"code"`
	// Provider is the id of the provider that owns the location.
	Provider int64 `json:"provider"`
}

// StockLocationCreateRequest is the body of StockLocationsService.Create.
type StockLocationCreateRequest struct {
	Name     string `json:"name"`
	Code     string `json:"code"`
	Provider int64  `json:"provider"`
	IsActive *bool  `json:"is_active,omitempty"`
}

// StockLocationUpdateRequest is the body of StockLocationsService.Update: only the
// fields set are sent.
type StockLocationUpdateRequest struct {
	Name     *string `json:"name,omitempty"`
	Code     *string `json:"code,omitempty"`
	Provider *int64  `json:"provider,omitempty"`
	IsActive *bool   `json:"is_active,omitempty"`
}

// StockLocationFilter filters StockLocationsService.List and All.
type StockLocationFilter struct {
	ListOptions
	Code     string `url:"code,omitempty"`
	Name     string `url:"name,omitempty"`
	IsActive *bool  `url:"is_active,omitempty"`
	// Provider is a provider id.
	Provider int64 `url:"provider,omitempty"`
}
