package whippyware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whippyware-go/whippyware"
)

// The contract suite drives the SDK through every resource of a service. It is written
// once and runs on the fake (contract_fake_test.go, in the normal test run) and on a real
// service (contract_integration_test.go, built with -tags integration). It asserts only
// what the API reference and Akinon's REST convention promise: field values, statuses,
// error types and the names of the fields in error, never the text of a message.

// contractTarget is a service the suite runs against.
type contractTarget struct {
	// client may create, change and delete records; it logs in on its first call.
	client *whippyware.Client
	// suffix makes this run's codes and names unique, so that runs on a shared service
	// do not collide with each other or with the service's own records.
	suffix string
	// withdrawKey makes the service refuse the key client holds, without telling the
	// client. nil skips the re-login test.
	withdrawKey func(t *testing.T)
	// logins counts the login requests the service has answered; nil where they cannot
	// be counted (a real service).
	logins func() int
}

// groups names the two sets of records the suite creates for one resource: one holds a
// single record, many holds pagedItems records listed over several pages.
func (tgt contractTarget) groups(resource string) (one, many string) {
	prefix := "ct-" + tgt.suffix + "-" + resource
	return prefix + "-one", prefix + "-many"
}

// itemCode is the unique code (or SKU) of the i-th record of a group.
func itemCode(group string, i int) string { return fmt.Sprintf("%s-%d", group, i) }

const (
	// pagedItems records listed pageLimit a page take three pages, the last one short.
	pagedItems = 5
	pageLimit  = 2
	// cleanupTimeout bounds each delete of the cleanup; the test's context has ended by then.
	cleanupTimeout = 30 * time.Second
)

// runContract runs the suite on tgt: each resource in a subtest of its own that deletes
// what it created, then the re-login after a 401.
func runContract(t *testing.T, tgt contractTarget) {
	t.Run("providers", func(t *testing.T) { providersCase(t, tgt).run(t) })
	t.Run("stock-locations", func(t *testing.T) { locationsCase(t, tgt).run(t) })
	t.Run("stock-list-rules", func(t *testing.T) { rulesCase(t, tgt).run(t) })
	t.Run("stock-lists", func(t *testing.T) { listsCase(t, tgt).run(t) })
	t.Run("stocks", func(t *testing.T) { stocksCase(t, tgt).run(t) })
	t.Run("relogin after 401", func(t *testing.T) { testRelogin(t, tgt) })
}

// contractService is the set of calls every resource service answers.
type contractService[T, C, U, O any] interface {
	List(ctx context.Context, opts *O, callOpts ...whippyware.CallOption) (*whippyware.Page[T], *whippyware.Response, error)
	All(ctx context.Context, opts *O, callOpts ...whippyware.CallOption) iter.Seq2[*T, error]
	Get(ctx context.Context, id int64, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Create(ctx context.Context, req *C, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Update(ctx context.Context, id int64, req *U, callOpts ...whippyware.CallOption) (*T, *whippyware.Response, error)
	Delete(ctx context.Context, id int64, callOpts ...whippyware.CallOption) (*whippyware.Response, error)
}

// crud creates records that are deleted again when the test ends.
type crud[T, C, U, O any] struct {
	svc contractService[T, C, U, O]
}

type (
	providersCRUD = crud[whippyware.Provider, whippyware.ProviderCreateRequest, whippyware.ProviderUpdateRequest, whippyware.ProviderFilter]
	locationsCRUD = crud[whippyware.StockLocation, whippyware.StockLocationCreateRequest, whippyware.StockLocationUpdateRequest, whippyware.StockLocationFilter]
	rulesCRUD     = crud[whippyware.StockListRule, whippyware.StockListRuleCreateRequest, whippyware.StockListRuleUpdateRequest, whippyware.StockListRuleFilter]
	listsCRUD     = crud[whippyware.StockList, whippyware.StockListCreateRequest, whippyware.StockListUpdateRequest, whippyware.StockListFilter]
	stocksCRUD    = crud[whippyware.Stock, whippyware.StockCreateRequest, whippyware.StockUpdateRequest, whippyware.StockFilter]
)

// create creates req, checks the answer is 201, and deletes the record when t ends.
// Records created later are deleted first, so children go before their parents.
func (c crud[T, C, U, O]) create(t *testing.T, req *C) *T {
	t.Helper()
	got, resp, err := c.svc.Create(t.Context(), req)
	require.NoError(t, err)
	c.deleteAtCleanup(t, got)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	return got
}

// deleteAtCleanup deletes item when t ends, unless the test deleted it already.
func (c crud[T, C, U, O]) deleteAtCleanup(t *testing.T, item *T) {
	id := recordOf(item).ID
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := c.svc.Delete(ctx, id); err != nil && !errors.Is(err, whippyware.ErrNotFound) {
			t.Errorf("cleanup: deleting %T %d: %v", item, id, err)
		}
	})
}

// recordOf returns the fields every resource has.
func recordOf(item any) *whippyware.Record {
	switch v := item.(type) {
	case *whippyware.Provider:
		return &v.Record
	case *whippyware.StockLocation:
		return &v.Record
	case *whippyware.StockListRule:
		return &v.Record
	case *whippyware.StockList:
		return &v.Record
	case *whippyware.Stock:
		return &v.Record
	}
	panic(fmt.Sprintf("recordOf: %T is not a Whippy Ware record", item))
}

// resourceCase is what the suite needs to know of one resource; run does the rest, the
// same way for all five.
type resourceCase[T, C, U, O any] struct {
	crud[T, C, U, O]
	// one and many are the groups from contractTarget.groups.
	one, many string
	// newItem returns a valid create request for the i-th record of group.
	newItem func(group string, i int) *C
	// checkCreated checks the resource's own fields of a created record against req.
	checkCreated func(t *testing.T, req *C, got *T)
	// byItem lists exactly item (by its code, SKU, or the name of group one).
	byItem func(item *T) *O
	// byGroup lists exactly the records of group, limit a page.
	byGroup func(group string, limit int) *O
	// update changes one field; applyUpdate makes the same change to a local copy.
	update      *U
	applyUpdate func(*T)
	// invalid returns a create request the service refuses with an error on
	// invalidField (a duplicate of existing's code, or a blank required field).
	invalid      func(existing *T) *C
	invalidField string
}

// run creates a record of group one and the records of group many, checks them through
// every call of the resource, and deletes them when t ends.
func (rc resourceCase[T, C, U, O]) run(t *testing.T) {
	req := rc.newItem(rc.one, 0)
	item := rc.create(t, req)
	rec := recordOf(item)
	assert.Positive(t, rec.ID)
	assert.False(t, rec.CreatedDate.IsZero(), "created_date is set")
	assert.False(t, rec.ModifiedDate.IsZero(), "modified_date is set")
	assert.False(t, rec.ModifiedDate.Before(rec.CreatedDate), "modified_date %s is before created_date %s", rec.ModifiedDate, rec.CreatedDate)
	assert.True(t, rec.IsActive, "is_active defaults to true")
	rc.checkCreated(t, req, item)
	// The records of group many are there for the filter to leave out, and to page over.
	var paged []int64
	for i := range pagedItems {
		paged = append(paged, recordOf(rc.create(t, rc.newItem(rc.many, i))).ID)
	}

	t.Run("get", func(t *testing.T) {
		got, resp, err := rc.svc.Get(t.Context(), rec.ID)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, item, got)
	})
	t.Run("list with a filter", func(t *testing.T) {
		page, _, err := rc.svc.List(t.Context(), rc.byItem(item))
		require.NoError(t, err)
		assert.Equal(t, 1, page.Count)
		assert.Equal(t, []*T{item}, page.Results)
		assert.Empty(t, page.Next)
	})
	t.Run("all over several pages", func(t *testing.T) { rc.testAll(t, paged) })
	t.Run("update one field", func(t *testing.T) { rc.testUpdate(t, rec.ID) })
	t.Run("validation error", func(t *testing.T) { rc.testInvalid(t, item) })
	t.Run("not found after delete", func(t *testing.T) { rc.testDelete(t, rec.ID) })
}

// testAll reads the records of group many back with All, pageLimit a page: each once, in
// the order they were created (want).
func (rc resourceCase[T, C, U, O]) testAll(t *testing.T, want []int64) {
	first, _, err := rc.svc.List(t.Context(), rc.byGroup(rc.many, pageLimit))
	require.NoError(t, err)
	assert.Equal(t, pagedItems, first.Count)
	assert.Len(t, first.Results, pageLimit, "the limit sets the page size")
	assert.Equal(t, 2, first.NextPage())

	var got []int64
	for item, err := range rc.svc.All(t.Context(), rc.byGroup(rc.many, pageLimit)) {
		if !assert.NoError(t, err) {
			break
		}
		got = append(got, recordOf(item).ID)
	}
	assert.Equal(t, want, got)
}

// testUpdate patches one field: the answer and a later read have it changed and every
// other field as it was.
func (rc resourceCase[T, C, U, O]) testUpdate(t *testing.T, id int64) {
	ctx := t.Context()
	before, _, err := rc.svc.Get(ctx, id)
	require.NoError(t, err)
	want := *before
	rc.applyUpdate(&want)
	require.NotEqual(t, *before, want, "the update must change a field")

	after, resp, err := rc.svc.Update(ctx, id, rc.update)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	afterModified := recordOf(after).ModifiedDate
	assert.False(t, afterModified.Before(recordOf(before).ModifiedDate), "modified_date went back")
	recordOf(&want).ModifiedDate = afterModified
	assert.Equal(t, &want, after)

	again, _, err := rc.svc.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, after, again)
}

// testInvalid sends a create the service must refuse and checks the error names the field.
func (rc resourceCase[T, C, U, O]) testInvalid(t *testing.T, existing *T) {
	got, resp, err := rc.svc.Create(t.Context(), rc.invalid(existing))
	if got != nil {
		rc.deleteAtCleanup(t, got) // wrongly created: do not leave it behind
	}
	requireValidationError(t, err, rc.invalidField)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// requireValidationError checks err is a *ValidationError with messages for field.
func requireValidationError(t *testing.T, err error, field string) {
	t.Helper()
	var vErr *whippyware.ValidationError
	require.ErrorAs(t, err, &vErr)
	assert.ErrorIs(t, err, whippyware.ErrValidation)
	assert.NotEmpty(t, vErr.Fields[field], "no message for %q in %v", field, vErr.Fields)
}

// testDelete deletes the record; then reading, changing or deleting it is not found.
func (rc resourceCase[T, C, U, O]) testDelete(t *testing.T, id int64) {
	ctx := t.Context()
	resp, err := rc.svc.Delete(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	_, resp, err = rc.svc.Get(ctx, id)
	assert.ErrorIs(t, err, whippyware.ErrNotFound)
	if assert.NotNil(t, resp) {
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	}
	_, _, err = rc.svc.Update(ctx, id, rc.update)
	assert.ErrorIs(t, err, whippyware.ErrNotFound)
	_, err = rc.svc.Delete(ctx, id)
	assert.ErrorIs(t, err, whippyware.ErrNotFound)
}

func providersCase(_ *testing.T, tgt contractTarget) resourceCase[whippyware.Provider, whippyware.ProviderCreateRequest, whippyware.ProviderUpdateRequest, whippyware.ProviderFilter] {
	one, many := tgt.groups("providers")
	return resourceCase[whippyware.Provider, whippyware.ProviderCreateRequest, whippyware.ProviderUpdateRequest, whippyware.ProviderFilter]{
		crud: providersCRUD{tgt.client.Providers},
		one:  one, many: many,
		newItem: func(group string, i int) *whippyware.ProviderCreateRequest {
			return &whippyware.ProviderCreateRequest{Name: group, Code: itemCode(group, i), ShouldAddReservations: whippyware.Ptr(false)}
		},
		checkCreated: func(t *testing.T, req *whippyware.ProviderCreateRequest, got *whippyware.Provider) {
			assert.Equal(t, req.Name, got.Name)
			assert.Equal(t, req.Code, got.Code)
			assert.False(t, got.ShouldAddReservations)
		},
		byItem: func(p *whippyware.Provider) *whippyware.ProviderFilter {
			return &whippyware.ProviderFilter{Code: p.Code}
		},
		byGroup: func(group string, limit int) *whippyware.ProviderFilter {
			return &whippyware.ProviderFilter{ListOptions: whippyware.ListOptions{Limit: limit}, Name: group}
		},
		update:      &whippyware.ProviderUpdateRequest{ShouldAddReservations: whippyware.Ptr(true)},
		applyUpdate: func(p *whippyware.Provider) { p.ShouldAddReservations = true },
		invalid: func(p *whippyware.Provider) *whippyware.ProviderCreateRequest {
			return &whippyware.ProviderCreateRequest{Name: p.Name, Code: p.Code}
		},
		invalidField: "code",
	}
}

func locationsCase(t *testing.T, tgt contractTarget) resourceCase[whippyware.StockLocation, whippyware.StockLocationCreateRequest, whippyware.StockLocationUpdateRequest, whippyware.StockLocationFilter] {
	one, many := tgt.groups("locations")
	owner := providersCRUD{tgt.client.Providers}.create(t, &whippyware.ProviderCreateRequest{
		Name: "Contract locations owner", Code: "ct-" + tgt.suffix + "-locations-owner",
	})
	renamed := one + " renamed"
	return resourceCase[whippyware.StockLocation, whippyware.StockLocationCreateRequest, whippyware.StockLocationUpdateRequest, whippyware.StockLocationFilter]{
		crud: locationsCRUD{tgt.client.StockLocations},
		one:  one, many: many,
		newItem: func(group string, i int) *whippyware.StockLocationCreateRequest {
			return &whippyware.StockLocationCreateRequest{Name: group, Code: itemCode(group, i), Provider: owner.ID}
		},
		checkCreated: func(t *testing.T, req *whippyware.StockLocationCreateRequest, got *whippyware.StockLocation) {
			assert.Equal(t, req.Name, got.Name)
			assert.Equal(t, req.Code, got.Code)
			assert.Equal(t, owner.ID, got.Provider)
		},
		byItem: func(l *whippyware.StockLocation) *whippyware.StockLocationFilter {
			return &whippyware.StockLocationFilter{Code: l.Code}
		},
		byGroup: func(group string, limit int) *whippyware.StockLocationFilter {
			return &whippyware.StockLocationFilter{ListOptions: whippyware.ListOptions{Limit: limit}, Name: group, Provider: owner.ID}
		},
		update:      &whippyware.StockLocationUpdateRequest{Name: &renamed},
		applyUpdate: func(l *whippyware.StockLocation) { l.Name = renamed },
		invalid: func(l *whippyware.StockLocation) *whippyware.StockLocationCreateRequest {
			return &whippyware.StockLocationCreateRequest{Name: l.Name, Code: l.Code, Provider: owner.ID}
		},
		invalidField: "code",
	}
}

// documentedRule is the rule of the reference's only stock list rule example.
const documentedRule, documentedRuleType = `{}`, "sql"

func rulesCase(_ *testing.T, tgt contractTarget) resourceCase[whippyware.StockListRule, whippyware.StockListRuleCreateRequest, whippyware.StockListRuleUpdateRequest, whippyware.StockListRuleFilter] {
	one, many := tgt.groups("rules")
	renamed := one + " renamed"
	newRule := func(name string) *whippyware.StockListRuleCreateRequest {
		return &whippyware.StockListRuleCreateRequest{Name: name, RuleType: documentedRuleType, Rule: json.RawMessage(documentedRule)}
	}
	return resourceCase[whippyware.StockListRule, whippyware.StockListRuleCreateRequest, whippyware.StockListRuleUpdateRequest, whippyware.StockListRuleFilter]{
		crud: rulesCRUD{tgt.client.StockListRules},
		one:  one, many: many,
		// Rules have no code: the records of a group share its name, the one filter rules take.
		newItem: func(group string, _ int) *whippyware.StockListRuleCreateRequest { return newRule(group) },
		checkCreated: func(t *testing.T, req *whippyware.StockListRuleCreateRequest, got *whippyware.StockListRule) {
			assert.Equal(t, req.Name, got.Name)
			assert.Equal(t, req.RuleType, got.RuleType)
			assert.JSONEq(t, string(req.Rule), string(got.Rule))
		},
		byItem: func(r *whippyware.StockListRule) *whippyware.StockListRuleFilter {
			return &whippyware.StockListRuleFilter{Name: r.Name}
		},
		byGroup: func(group string, limit int) *whippyware.StockListRuleFilter {
			return &whippyware.StockListRuleFilter{ListOptions: whippyware.ListOptions{Limit: limit}, Name: group}
		},
		update:       &whippyware.StockListRuleUpdateRequest{Name: &renamed},
		applyUpdate:  func(r *whippyware.StockListRule) { r.Name = renamed },
		invalid:      func(*whippyware.StockListRule) *whippyware.StockListRuleCreateRequest { return newRule("") },
		invalidField: "name",
	}
}

func listsCase(t *testing.T, tgt contractTarget) resourceCase[whippyware.StockList, whippyware.StockListCreateRequest, whippyware.StockListUpdateRequest, whippyware.StockListFilter] {
	one, many := tgt.groups("lists")
	rule := rulesCRUD{tgt.client.StockListRules}.create(t, &whippyware.StockListRuleCreateRequest{
		Name: "ct-" + tgt.suffix + "-lists-rule", RuleType: documentedRuleType, Rule: json.RawMessage(documentedRule),
	})
	return resourceCase[whippyware.StockList, whippyware.StockListCreateRequest, whippyware.StockListUpdateRequest, whippyware.StockListFilter]{
		crud: listsCRUD{tgt.client.StockLists},
		one:  one, many: many,
		newItem: func(group string, i int) *whippyware.StockListCreateRequest {
			return &whippyware.StockListCreateRequest{
				Code: itemCode(group, i), Name: group, RemoteID: whippyware.Ptr(int64(1000 + i)), StockListRule: &rule.ID,
			}
		},
		checkCreated: func(t *testing.T, req *whippyware.StockListCreateRequest, got *whippyware.StockList) {
			assert.Equal(t, req.Code, got.Code)
			assert.Equal(t, req.Name, got.Name)
			assert.Equal(t, *req.RemoteID, got.RemoteID)
			ruleID, err := got.StockListRule.Int64()
			assert.NoError(t, err, "stock_list_rule %q is an id", got.StockListRule)
			assert.Equal(t, rule.ID, ruleID)
		},
		byItem: func(l *whippyware.StockList) *whippyware.StockListFilter {
			return &whippyware.StockListFilter{Code: l.Code}
		},
		byGroup: func(group string, limit int) *whippyware.StockListFilter {
			return &whippyware.StockListFilter{ListOptions: whippyware.ListOptions{Limit: limit}, Name: group}
		},
		update:      &whippyware.StockListUpdateRequest{RemoteID: whippyware.Value(int64(4242))},
		applyUpdate: func(l *whippyware.StockList) { l.RemoteID = 4242 },
		invalid: func(l *whippyware.StockList) *whippyware.StockListCreateRequest {
			return &whippyware.StockListCreateRequest{Code: l.Code, Name: l.Name}
		},
		invalidField: "code",
	}
}

// stocksCase keeps each group at a location of its own, so that a group is listed by
// provider and location; stock is written naming its location by code.
func stocksCase(t *testing.T, tgt contractTarget) resourceCase[whippyware.Stock, whippyware.StockCreateRequest, whippyware.StockUpdateRequest, whippyware.StockFilter] {
	one, many := tgt.groups("stocks")
	owner := providersCRUD{tgt.client.Providers}.create(t, &whippyware.ProviderCreateRequest{
		Name: "Contract stocks owner", Code: "ct-" + tgt.suffix + "-stocks-owner",
	})
	locationIDs := map[string]int64{} // by code, which is the group
	for _, group := range []string{one, many} {
		loc := locationsCRUD{tgt.client.StockLocations}.create(t, &whippyware.StockLocationCreateRequest{
			Name: group, Code: group, Provider: owner.ID,
		})
		locationIDs[loc.Code] = loc.ID
	}
	newStock := func(sku, location string, quantity int64) *whippyware.StockCreateRequest {
		return &whippyware.StockCreateRequest{
			SKU: sku, Provider: owner.Code, Location: whippyware.StringOrNumber(location), Stock: quantity,
			ReservedStock: whippyware.Ptr(quantity / 2), Period: whippyware.Ptr(whippyware.Date(2024, time.May, 10)),
			StockType: "standard", UnitType: "qty",
		}
	}
	return resourceCase[whippyware.Stock, whippyware.StockCreateRequest, whippyware.StockUpdateRequest, whippyware.StockFilter]{
		crud: stocksCRUD{tgt.client.Stocks},
		one:  one, many: many,
		newItem: func(group string, i int) *whippyware.StockCreateRequest {
			return newStock(itemCode(group, i), group, int64(10+i))
		},
		checkCreated: func(t *testing.T, req *whippyware.StockCreateRequest, got *whippyware.Stock) {
			assert.Equal(t, req.SKU, got.SKU)
			assert.Equal(t, owner.Code, got.Provider)
			// Sent as the code; the reference shows it answered as the code and types it as the id.
			code := string(req.Location)
			assert.Contains(t, []string{code, strconv.FormatInt(locationIDs[code], 10)}, got.Location.String(), "location")
			assert.Equal(t, req.Stock, got.Stock)
			assert.Equal(t, *req.ReservedStock, got.ReservedStock)
			if assert.NotNil(t, got.Period) {
				assert.Equal(t, "2024-05-10", got.Period.Format(time.DateOnly))
			}
			assert.Equal(t, req.StockType, got.StockType)
			assert.Equal(t, req.UnitType, got.UnitType)
		},
		byItem: func(s *whippyware.Stock) *whippyware.StockFilter {
			return &whippyware.StockFilter{SKU: s.SKU}
		},
		byGroup: func(group string, limit int) *whippyware.StockFilter {
			return &whippyware.StockFilter{ListOptions: whippyware.ListOptions{Limit: limit}, Provider: owner.Code, Location: group}
		},
		update:       &whippyware.StockUpdateRequest{Stock: whippyware.Ptr(int64(99))},
		applyUpdate:  func(s *whippyware.Stock) { s.Stock = 99 },
		invalid:      func(*whippyware.Stock) *whippyware.StockCreateRequest { return newStock("", one, 1) },
		invalidField: "sku",
	}
}

// testRelogin withdraws the client's key behind its back: the next call answers 401, the
// client logs in once more, resends, and holds a new key.
func testRelogin(t *testing.T, tgt contractTarget) {
	if tgt.withdrawKey == nil {
		t.Skip("this target cannot withdraw the client's key")
	}
	ctx := t.Context()
	list := func() error {
		_, _, err := tgt.client.Providers.List(ctx, &whippyware.ProviderFilter{ListOptions: whippyware.ListOptions{Limit: 1}})
		return err
	}
	require.NoError(t, list(), "a call that logs in")
	oldKey := tgt.client.Auth.Key()
	require.NotEmpty(t, oldKey)
	loginsBefore := 0
	if tgt.logins != nil {
		loginsBefore = tgt.logins()
	}

	tgt.withdrawKey(t)
	require.NoError(t, list(), "the call after the key was withdrawn")
	newKey := tgt.client.Auth.Key()
	assert.NotEmpty(t, newKey)
	assert.NotEqual(t, oldKey, newKey, "the client holds a new key")
	if tgt.logins != nil {
		assert.Equal(t, loginsBefore+1, tgt.logins(), "exactly one login")
	}
}
