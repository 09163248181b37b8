package whippywaretest

import (
	"embed"
	"encoding/json"
	"errors"
)

// fixtureFiles are the documented example bodies, copied from the project's shared fixtures so
// that module users have them too.
//
//go:embed testdata/*.json
var fixtureFiles embed.FS

// Fixture returns the documented example body in the named file, e.g. "stocks_list.json" or
// "login_400_missing_fields.json" (the files of testdata/ in this package).
func Fixture(name string) ([]byte, error) { return fixtureFiles.ReadFile("testdata/" + name) }

// fixtureResults reads the records of a documented list body.
func fixtureResults[T any](name string) []T {
	var page pageBody[T]
	body, err := Fixture(name)
	if err = errors.Join(err, json.Unmarshal(body, &page)); err != nil {
		panic("whippywaretest: embedded fixture " + name + ": " + err.Error()) // cannot happen
	}
	return page.Results
}

// shopProvider is the one record WithFixtures adds to the documented ones: the documented stock
// names provider "shop_provider", which the documented provider list does not hold.
var shopProvider = Provider{
	ID:           2,
	CreatedDate:  "2023-05-10T10:09:12.481203+03:00",
	ModifiedDate: "2023-05-10T10:09:12.481203+03:00",
	IsActive:     true,
	Name:         "Shop Provider",
	Code:         "shop_provider",
}

// SeedFixtures stores the documented records as WithFixtures does, with their ids and
// timestamps, provider 2 "shop_provider" added as the owner of location "110". It panics if
// one of them cannot be stored, e.g. because its id or code is taken.
func (s *Server) SeedFixtures() {
	for _, p := range append(fixtureResults[Provider]("providers_list.json"), shopProvider) {
		s.AddProvider(p)
	}
	for _, l := range fixtureResults[StockLocation]("stock_locations_list.json") {
		if l.Code == "110" {
			l.Provider = shopProvider.ID
		}
		s.AddStockLocation(l)
	}
	for _, r := range fixtureResults[StockListRule]("stock_list_rules_list.json") {
		s.AddStockListRule(r)
	}
	for _, l := range fixtureResults[StockList]("stock_lists_list.json") {
		s.AddStockList(l)
	}
	for _, st := range fixtureResults[Stock]("stocks_list.json") {
		s.AddStock(st)
	}
}
