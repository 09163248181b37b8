package whippywaretest

import (
	"slices"
)

// locations is /api/v1/stock-locations/: name, code (unique), provider (an id).
var locations = newResource(&resource[StockLocation, *StockLocation]{
	name:  "stock location",
	title: "Stock Location",
	fields: append(slices.Clip(headFields), isActiveField, textField("name", true, nameLength),
		textField("code", true, codeLength), relatedField("provider", true)),
	table: func(st *store) *table[StockLocation, *StockLocation] { return &st.locations },
	decode: func(f *form, l *StockLocation) {
		f.str("name", &l.Name, true, nameLength)
		f.str("code", &l.Code, true, codeLength)
		var provider *int64
		if f.pk("provider", &provider, true, false); provider != nil {
			l.Provider = *provider
		}
	},
	check: func(st *store, f *form, l *StockLocation) {
		if !f.ok("provider") {
			return
		}
		if st.providers.get(l.Provider) == nil {
			f.errs.addf("provider", "Invalid pk \"%d\" - object does not exist.", l.Provider)
			return
		}
		// Moving a location would leave its stocks naming the old provider.
		if old := st.locations.get(l.ID); old != nil && old.Provider != l.Provider && hasStocks(st, old) {
			f.errs.add("provider", "Cannot move a stock location that still has stocks to another provider.")
		}
	},
	unique:      func(_ *store, l *StockLocation) string { return l.Code },
	uniqueField: "code",
	uniqueMsg:   "stock location with this code already exists.",
	filters: []namedFilter[StockLocation]{ // the FilterSet's Meta.fields order
		{"code", equal(func(l *StockLocation) string { return l.Code })},
		{"name", equal(func(l *StockLocation) string { return l.Name })},
		{"provider", providerFilter},
	},
	inUse: func(st *store, l *StockLocation) string {
		if hasStocks(st, l) {
			return "Cannot delete stock location: it still has stocks."
		}
		return ""
	},
	// Stocks name their location by code: a renamed code follows into them.
	changed: func(st *store, old, l *StockLocation) {
		renameInStocks(st, func(s *Stock) *string { return &s.Location }, old.Code, l.Code)
	},
	cascade: func(st *store, l *StockLocation) {
		stocks.removeWhere(st, func(s *Stock) bool { return s.Location == l.Code })
	},
})

func hasStocks(st *store, l *StockLocation) bool {
	return slices.ContainsFunc(st.stocks.rows, func(s Stock) bool { return s.Location == l.Code })
}

// providerFilter takes a provider id and, like django-filter's ModelChoiceFilter, refuses one
// that names no provider.
func providerFilter(st *store, v string) (func(*StockLocation) bool, string) {
	id, ok := pyInt(v) // the lookup casts the value with int()
	if !ok || st.providers.get(id) == nil {
		return nil, msgInvalidChoice
	}
	return func(l *StockLocation) bool { return l.Provider == id }, ""
}

// locationByCode returns the location with code, or nil.
func (st *store) locationByCode(code string) *StockLocation {
	if id, ok := st.locations.unique[code]; ok {
		return st.locations.get(id)
	}
	return nil
}

// AddStockLocation stores l without going through HTTP and returns the stored record; l.Provider
// must be the id of a stored provider. See AddProvider for how fields are taken.
func (s *Server) AddStockLocation(l StockLocation, opts ...AddOption) StockLocation {
	return mustSeed(s, locations, l, opts)
}

// StockLocations returns a copy of every stored stock location, in id order.
func (s *Server) StockLocations() []StockLocation { return locations.all(s.st) }
