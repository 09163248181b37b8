package whippywaretest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// stocks is /api/v1/stocks/. A stock names its provider by code and its location by id or
// code (the reference shows both), and is answered with the location's code as a string, as
// the fixture shows. (sku, provider, location, stock_type) is unique together.
var stocks = &resource[Stock, *Stock]{
	name:  "stock",
	table: func(st *store) *table[Stock, *Stock] { return &st.stocks },
	defaults: func(s *Stock) {
		if s.StockType == "" {
			s.StockType = "standard"
		}
		if s.UnitType == "" {
			s.UnitType = "qty"
		}
	},
	decode: func(f *form, s *Stock) {
		f.str("sku", &s.SKU, true)
		f.str("provider", &s.Provider, true)
		// The location is resolved in check, under the lock; here only its JSON type.
		if raw, ok := f.value("location", true, false); ok {
			code, _ := text(raw)
			switch t := pyType(raw); {
			case t != "str" && t != "int":
				f.errs.addf("location", "Incorrect type. Expected pk value, received %s.", t)
			case strings.TrimSpace(code) == "":
				f.errs.add("location", msgBlank)
			}
		}
		f.integer("stock", &s.Stock, true, true)
		f.integer("reserved_stock", &s.ReservedStock, false, true)
		f.date("period", &s.Period)
		f.str("stock_type", &s.StockType, false)
		f.str("unit_type", &s.UnitType, false)
	},
	check: func(st *store, f *form, s *Stock) {
		if f.ok("provider") {
			if _, found := st.providers.unique[s.Provider]; !found {
				f.errs.addf("provider", "Object with code=%s does not exist.", s.Provider)
			}
		}
		if f.ok("location") {
			if l, msg := resolveLocation(st, f.raw["location"]); l == nil {
				f.errs.add("location", msg)
			} else {
				s.Location = l.Code
			}
		}
		if len(f.errs) > 0 || !(f.create || f.ok("provider") || f.ok("location")) {
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
	filters: map[string]filter[Stock]{
		"sku":        equal(func(s *Stock) string { return s.SKU }),
		"provider":   equal(func(s *Stock) string { return s.Provider }),
		"stock_type": equal(func(s *Stock) string { return s.StockType }),
		"location":   locationFilter,
	},
}

// resolveLocation finds the location a stock body names: a number is an id; a string is a
// code, or failing that an id written as a string. It returns nil and a DRF-style message
// when there is none.
func resolveLocation(st *store, raw json.RawMessage) (*StockLocation, string) {
	var code string
	if json.Unmarshal(raw, &code) == nil {
		if l := st.locationByCode(code); l != nil {
			return l, ""
		}
		if id, err := strconv.ParseInt(code, 10, 64); err == nil {
			if l := st.locations.get(id); l != nil {
				return l, ""
			}
		}
		return nil, fmt.Sprintf("Object with code=%s does not exist.", code)
	}
	id, _ := parseInt(raw)
	if l := st.locations.get(id); l != nil {
		return l, ""
	}
	return nil, fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", id)
}

// renameInStocks carries a renamed provider or location code into the stocks that name it by
// that code.
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

// locationFilter matches stocks at the location with that code, or else with that id.
func locationFilter(st *store, v string) (func(*Stock) bool, string) {
	code := ""
	if l, _ := resolveLocation(st, json.RawMessage(strconv.Quote(v))); l != nil {
		code = l.Code
	}
	return func(s *Stock) bool { return s.Location == code }, "" // "" matches no stock
}

// AddStock stores stock without going through HTTP and returns the stored record. Its Provider
// is a provider's code and its Location the code of one of that provider's locations; an empty
// StockType or UnitType takes the default ("standard", "qty"). See AddProvider for how the
// other fields are taken.
func (s *Server) AddStock(stock Stock) Stock { return mustSeed(s, stocks, stock) }

// Stocks returns a copy of every stored stock, in id order.
func (s *Server) Stocks() []Stock { return stocks.all(s.st) }
