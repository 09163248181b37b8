package whippywaretest

import "slices"

// lists is /api/v1/stock-lists/: code (unique), name, remote_id, stock_list_rule (an id).
var lists = newResource(&resource[StockList, *StockList]{
	name:  "stock list",
	title: "Stock List",
	fields: append(slices.Clip(headFields), isActiveField, textField("code", true, codeLength),
		textField("name", true, nameLength), intField("remote_id", false, minInt32),
		relatedField("stock_list_rule", false)),
	table: func(st *store) *table[StockList, *StockList] { return &st.lists },
	decode: func(f *form, l *StockList) {
		f.str("code", &l.Code, true, codeLength)
		f.str("name", &l.Name, true, nameLength)
		f.nullInt("remote_id", &l.RemoteID)
		f.pk("stock_list_rule", &l.StockListRule, false, true)
	},
	check: func(st *store, f *form, l *StockList) {
		if f.ok("stock_list_rule") && l.StockListRule != nil && st.rules.get(*l.StockListRule) == nil {
			f.errs.addf("stock_list_rule", "Invalid pk \"%d\" - object does not exist.", *l.StockListRule)
		}
	},
	unique:      func(_ *store, l *StockList) string { return l.Code },
	uniqueField: "code",
	uniqueMsg:   "stock list with this code already exists.",
	filters: []namedFilter[StockList]{ // the FilterSet's Meta.fields order
		{"code", equal(func(l *StockList) string { return l.Code })},
		{"name", equal(func(l *StockList) string { return l.Name })},
	},
})

// AddStockList stores l without going through HTTP and returns the stored record; a non-nil
// StockListRule must be the id of a stored rule. See AddProvider for how fields are taken.
func (s *Server) AddStockList(l StockList, opts ...AddOption) StockList {
	return mustSeed(s, lists, l, opts)
}

// StockLists returns a copy of every stored stock list, in id order.
func (s *Server) StockLists() []StockList { return lists.all(s.st) }
