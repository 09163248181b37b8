package whippyware

import "encoding/json"

// StockListRule says how stock is combined into a stock list. The reference
// publishes no list of rule types nor a schema for Rule, so RuleType stays an open
// string and Rule raw JSON.
type StockListRule struct {
	Record
	Name     string          `json:"name"`
	RuleType string          `json:"rule_type"`
	Rule     json.RawMessage `json:"rule"`
}

// StockListRuleCreateRequest is the body of StockListRulesService.Create.
type StockListRuleCreateRequest struct {
	Name     string          `json:"name"`
	RuleType string          `json:"rule_type"`
	Rule     json.RawMessage `json:"rule,omitempty"`
	IsActive *bool           `json:"is_active,omitempty"`
}

// StockListRuleUpdateRequest is the body of StockListRulesService.Update: only the
// fields set are sent.
type StockListRuleUpdateRequest struct {
	Name     *string         `json:"name,omitempty"`
	RuleType *string         `json:"rule_type,omitempty"`
	Rule     json.RawMessage `json:"rule,omitempty"`
	IsActive *bool           `json:"is_active,omitempty"`
}

// StockListRuleFilter filters StockListRulesService.List and All. Rules have no
// code, so there is no code filter.
type StockListRuleFilter struct {
	ListOptions
	Name     string `url:"name,omitempty"`
	IsActive *bool  `url:"is_active,omitempty"`
}
