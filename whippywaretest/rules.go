package whippywaretest

import (
	"encoding/json"
	"slices"
)

// rules is /api/v1/stock-list-rules/: name, rule_type (an open string), rule (a JSON object).
var rules = newResource(&resource[StockListRule, *StockListRule]{
	name:  "stock list rule",
	title: "Stock List Rule",
	fields: append(slices.Clip(headFields), isActiveField, textField("name", true, nameLength),
		fieldSpec{name: "rule", kind: "field"}, textField("rule_type", true, nameLength)),
	table: func(st *store) *table[StockListRule, *StockListRule] { return &st.rules },
	defaults: func(r *StockListRule) {
		if r.Rule == nil {
			r.Rule = json.RawMessage("{}")
		}
	},
	decode: func(f *form, r *StockListRule) {
		f.str("name", &r.Name, true, nameLength)
		f.object("rule", &r.Rule)
		f.str("rule_type", &r.RuleType, true, nameLength)
	},
	filters: []namedFilter[StockListRule]{ // the FilterSet's Meta.fields order
		{"name", equal(func(r *StockListRule) string { return r.Name })},
		{"rule_type", equal(func(r *StockListRule) string { return r.RuleType })},
	},
	inUse: func(st *store, r *StockListRule) string {
		if slices.ContainsFunc(st.lists.rows, func(l StockList) bool { return l.StockListRule != nil && *l.StockListRule == r.ID }) {
			return "Cannot delete stock list rule: it is still used by stock lists."
		}
		return ""
	},
	cascade: func(st *store, r *StockListRule) {
		lists.removeWhere(st, func(l *StockList) bool { return l.StockListRule != nil && *l.StockListRule == r.ID })
	},
})

// AddStockListRule stores r without going through HTTP and returns the stored record; a nil
// Rule is stored as {}. See AddProvider for how fields are taken.
func (s *Server) AddStockListRule(r StockListRule, opts ...AddOption) StockListRule {
	return mustSeed(s, rules, r, opts)
}

// StockListRules returns a copy of every stored stock list rule, in id order.
func (s *Server) StockListRules() []StockListRule { return rules.all(s.st) }
