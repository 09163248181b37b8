package whippyware

// Provider is a warehouse or stock source of the brand. Its Code must equal the
// code the brand's systems send with stock.
type Provider struct {
	Record
	Name string `json:"name"`
	Code string `json:"code"`
	// ShouldAddReservations says whether reservations count for this provider's stock.
	ShouldAddReservations bool `json:"should_add_reservations"`
}

// ProviderCreateRequest is the body of ProvidersService.Create.
type ProviderCreateRequest struct {
	Name                  string `json:"name"`
	Code                  string `json:"code"`
	ShouldAddReservations *bool  `json:"should_add_reservations,omitempty"`
	IsActive              *bool  `json:"is_active,omitempty"`
}

// ProviderUpdateRequest is the body of ProvidersService.Update: only the fields set
// are sent.
type ProviderUpdateRequest struct {
	Name                  *string `json:"name,omitempty"`
	Code                  *string `json:"code,omitempty"`
	ShouldAddReservations *bool   `json:"should_add_reservations,omitempty"`
	IsActive              *bool   `json:"is_active,omitempty"`
}

// ProviderFilter filters ProvidersService.List and All.
type ProviderFilter struct {
	ListOptions
	Code     string `url:"code,omitempty"`
	Name     string `url:"name,omitempty"`
	IsActive *bool  `url:"is_active,omitempty"`
}
