package whippywaretest

import "slices"

// providers is /api/v1/providers/: name, code (unique), should_add_reservations.
var providers = newResource(&resource[Provider, *Provider]{
	name:  "provider",
	title: "Provider",
	fields: append(slices.Clip(headFields), isActiveField, textField("name", true, nameLength),
		textField("code", true, codeLength), fieldSpec{name: "should_add_reservations", kind: "boolean"}),
	table: func(st *store) *table[Provider, *Provider] { return &st.providers },
	decode: func(f *form, p *Provider) {
		f.str("name", &p.Name, true, nameLength)
		f.str("code", &p.Code, true, codeLength)
		f.boolean("should_add_reservations", &p.ShouldAddReservations)
	},
	unique:      func(_ *store, p *Provider) string { return p.Code },
	uniqueField: "code",
	uniqueMsg:   "provider with this code already exists.",
	filters: []namedFilter[Provider]{ // the FilterSet's Meta.fields order
		{"code", equal(func(p *Provider) string { return p.Code })},
		{"name", equal(func(p *Provider) string { return p.Name })},
	},
	// A provider's stocks are all at its own locations, so refusing while it has locations
	// also keeps every stock's provider in place.
	inUse: func(st *store, p *Provider) string {
		if slices.ContainsFunc(st.locations.rows, func(l StockLocation) bool { return l.Provider == p.ID }) {
			return "Cannot delete provider: it still has stock locations."
		}
		return ""
	},
	// Stocks name their provider by code: a renamed code follows into them.
	changed: func(st *store, old, p *Provider) {
		renameInStocks(st, func(s *Stock) *string { return &s.Provider }, old.Code, p.Code)
	},
	cascade: func(st *store, p *Provider) {
		locations.removeWhere(st, func(l *StockLocation) bool { return l.Provider == p.ID })
		stocks.removeWhere(st, func(s *Stock) bool { return s.Provider == p.Code })
	},
})

// AddProvider stores p without going through HTTP and returns the stored record. Fields are
// validated as a POST validates them, and the record is active as a POST without is_active
// stores it (IsActive is not read; pass Inactive for an inactive one). A zero ID takes the
// next id, a zero CreatedDate or ModifiedDate the current time. It panics if p cannot be
// stored (e.g. a duplicate code).
func (s *Server) AddProvider(p Provider, opts ...AddOption) Provider {
	return mustSeed(s, providers, p, opts)
}

// Providers returns a copy of every stored provider, in id order.
func (s *Server) Providers() []Provider { return providers.all(s.st) }
