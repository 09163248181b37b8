package whippywaretest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// stocks is /api/v1/stocks/: provider and location by code (location by id
// WithStockLocationByID), as the documented example; (sku, provider, location, stock_type) unique.
var stocks = newResource(&resource[Stock, *Stock]{
	name:  "stock",
	title: "Stock",
	fields: append(slices.Clip(headFields), fieldSpec{name: "period", kind: "date"},
		textField("stock_type", false, nameLength), textField("unit_type", false, nameLength),
		relatedField("provider", true), relatedField("location", true), intField("stock", true, 0),
		intField("reserved_stock", false, 0), isActiveField, textField("sku", true, nameLength)),
	table: func(st *store) *table[Stock, *Stock] { return &st.stocks },
	defaults: func(s *Stock) {
		if s.StockType == "" {
			s.StockType = "standard"
		}
		if s.UnitType == "" {
			s.UnitType = "qty"
		}
	},
	// stock_type is in the unique set and has a model default: a PUT without it stores
	// "standard" (or meets the unique set when a standard row exists).
	putDefaults: func(s *Stock) { s.StockType = "standard" },
	decode: func(f *form, s *Stock) {
		f.date("period", &s.Period)
		f.str("stock_type", &s.StockType, false, nameLength)
		f.str("unit_type", &s.UnitType, false, nameLength)
		f.slug("provider", &s.Provider, true)
		relatedEmptyIsNull(f, "location")
		f.value("location", true, false) // resolved in check, under the lock
		f.integer("stock", &s.Stock, true, 0)
		f.integer("reserved_stock", &s.ReservedStock, false, 0)
		f.str("sku", &s.SKU, true, nameLength)
	},
	check: func(st *store, f *form, s *Stock) {
		if f.ok("provider") {
			if id, found := st.providers.unique[s.Provider]; !found {
				f.errs.addf("provider", "Object with code=%s does not exist.", s.Provider)
			} else { // the provider's own string, shared by its stocks: a filter's compares stay in cache
				s.Provider = st.providers.get(id).Code
			}
		}
		if f.ok("location") {
			if l, msg := resolveLocation(st, f.raw["location"], st.locationByID && !f.seed); l == nil {
				f.errs.add("location", msg)
			} else {
				s.Location = l.Code
			}
		}
		if len(f.errs) > 0 || (f.partial && !f.ok("provider") && !f.ok("location")) {
			return
		}
		if l := st.locationByCode(s.Location); l.Provider != st.providers.unique[s.Provider] {
			f.errs.addf("location", "Stock location %q does not belong to provider %q.", l.Code, s.Provider)
		}
	},
	// The unique set is keyed by ids, so that renaming a provider or location code keeps it.
	unique: func(st *store, s *Stock) string {
		return strings.Join([]string{s.SKU, strconv.FormatInt(st.providers.unique[s.Provider], 10),
			strconv.FormatInt(st.locations.unique[s.Location], 10), s.StockType}, "\x00")
	},
	uniqueField: nonFieldErrors,
	uniqueMsg:   "The fields sku, provider, location, stock_type must make a unique set.",
	filters: []namedFilter[Stock]{ // the FilterSet's Meta.fields order
		{"sku", equal(func(s *Stock) string { return s.SKU })},
		{"stock_type", equal(func(s *Stock) string { return s.StockType })},
		{"provider", equal(func(s *Stock) string { return s.Provider })},
		{"location", locationFilter},
	},
	wire: func(st *store, s *Stock) any {
		if !st.locationByID {
			return *s
		}
		return stockByID{s.ID, s.CreatedDate, s.ModifiedDate, s.Period, s.StockType, s.UnitType, s.Provider,
			st.locations.unique[s.Location], s.Stock, s.ReservedStock, s.IsActive, s.SKU}
	},
})

// stockByID is a stock answered WithStockLocationByID: its location as the location's id,
// in Stock's key order.
type stockByID struct {
	ID            int64   `json:"id"`
	CreatedDate   string  `json:"created_date"`
	ModifiedDate  string  `json:"modified_date"`
	Period        *string `json:"period"`
	StockType     string  `json:"stock_type"`
	UnitType      string  `json:"unit_type"`
	Provider      string  `json:"provider"`
	Location      int64   `json:"location"`
	Stock         int64   `json:"stock"`
	ReservedStock int64   `json:"reserved_stock"`
	IsActive      bool    `json:"is_active"`
	SKU           string  `json:"sku"`
}

// resolveLocation finds the location a stock body names, by code (SlugRelatedField) or by id
// (PrimaryKeyRelatedField), or returns nil and DRF's message.
func resolveLocation(st *store, raw json.RawMessage, byID bool) (*StockLocation, string) {
	if byID {
		id, ok := pkValue(raw)
		if !ok {
			return nil, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(raw))
		}
		if l := st.locations.get(id); l != nil {
			return l, ""
		}
		s, _ := textOf(raw)
		return nil, fmt.Sprintf("Invalid pk \"%s\" - object does not exist.", s)
	}
	code, ok := slugValue(raw)
	if !ok {
		return nil, "Invalid value."
	}
	if l := st.locationByCode(code); l != nil {
		return l, ""
	}
	return nil, fmt.Sprintf("Object with code=%s does not exist.", code)
}

// renameInStocks carries a renamed provider or location code into the stocks that name it.
func renameInStocks(st *store, field func(*Stock) *string, oldCode, newCode string) {
	if oldCode == newCode {
		return
	}
	for i := range st.stocks.rows {
		if f := field(&st.stocks.rows[i]); *f == oldCode {
			*f = newCode
		}
	}
}

// locationFilter matches stocks at the location with that code (django-filter's CharFilter
// on location__code) or, WithStockLocationByID, with that id (its ModelChoiceFilter, which
// refuses an id that names no location).
func locationFilter(st *store, v string) (func(*Stock) bool, string) {
	if !st.locationByID {
		return equal(func(s *Stock) string { return s.Location })(st, v)
	}
	id, ok := pyInt(v)
	l := st.locations.get(id)
	if !ok || l == nil {
		return nil, msgInvalidChoice
	}
	code := l.Code
	return func(s *Stock) bool { return s.Location == code }, ""
}

// AddStock stores stock without going through HTTP and returns the stored record. Its Provider
// is a provider's code and its Location the code of one of that provider's locations; an empty
// StockType or UnitType takes the default ("standard", "qty"). See AddProvider for how the
// other fields are taken.
func (s *Server) AddStock(stock Stock, opts ...AddOption) Stock {
	return mustSeed(s, stocks, stock, opts)
}

// Stocks returns a copy of every stored stock, in id order.
func (s *Server) Stocks() []Stock { return stocks.all(s.st) }
