package whippywaretest

// providers is /api/v1/providers/: name, code (unique), should_add_reservations.
var providers = &resource[Provider, *Provider]{
	name:  "provider",
	table: func(st *store) *table[Provider, *Provider] { return &st.providers },
	decode: func(f *form, p *Provider) {
		f.str("name", &p.Name, true)
		f.str("code", &p.Code, true)
		f.boolean("should_add_reservations", &p.ShouldAddReservations)
	},
	unique:      func(_ *store, p *Provider) string { return p.Code },
	uniqueField: "code",
	uniqueMsg:   "provider with this code already exists.",
	filters: map[string]filter[Provider]{
		"code": equal(func(p *Provider) string { return p.Code }),
		"name": equal(func(p *Provider) string { return p.Name }),
	},
	// A provider's stocks are all at its own locations, so refusing while it has locations
	// also keeps every stock's provider in place.
	inUse: func(st *store, p *Provider) string {
		if st.locations.some(func(l *StockLocation) bool { return l.Provider == p.ID }) {
			return "Cannot delete provider: it still has stock locations."
		}
		return ""
	},
	// Stocks name their provider by code: a renamed code follows into them.
	changed: func(st *store, old, p *Provider) {
		renameInStocks(st, func(s *Stock) *string { return &s.Provider }, old.Code, p.Code)
	},
}

// AddProvider stores p without going through HTTP and returns the stored record. Fields are
// validated as a POST validates them, but taken as given otherwise: a zero IsActive stores an
// inactive provider. A zero ID takes the next id, a zero CreatedDate or ModifiedDate the
// current time. It panics if p cannot be stored (e.g. a duplicate code).
func (s *Server) AddProvider(p Provider) Provider { return mustSeed(s, providers, p) }

// Providers returns a copy of every stored provider, in id order.
func (s *Server) Providers() []Provider { return providers.all(s.st) }
