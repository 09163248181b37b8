package whippywaretest

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"
)

// store is the fake's whole API state. One RWMutex owns all of it, so that a request sees the
// resources and the keys consistently and test controls may run concurrently with requests.
type store struct {
	mu    sync.RWMutex
	clock func() time.Time
	// cascade and locationByID are WithCascadeDelete and WithStockLocationByID.
	cascade, locationByID bool

	providers table[Provider, *Provider]
	locations table[StockLocation, *StockLocation]
	rules     table[StockListRule, *StockListRule]
	lists     table[StockList, *StockList]
	stocks    table[Stock, *Stock]

	keys     map[string]apiKey // login key → owner and issue time
	userKeys map[string]string // user → their key
}

// serviceZone is the offset the service's examples carry (+03:00, Istanbul).
var serviceZone = time.FixedZone("+03:00", 3*60*60)

// timeLayout is the service's timestamp format: microseconds and an offset.
const timeLayout = "2006-01-02T15:04:05.000000-07:00"

// reset empties every table and withdraws every key; ids start again from 1.
func (st *store) reset() {
	st.providers = newTable[Provider]()
	st.locations = newTable[StockLocation]()
	st.rules = newTable[StockListRule]()
	st.lists = newTable[StockList]()
	st.stocks = newTable[Stock]()
	st.keys = map[string]apiKey{}
	st.userKeys = map[string]string{}
}

func (st *store) now() string { return st.clock().In(serviceZone).Format(timeLayout) }

// table holds one resource's records sorted by id (ids only grow, so appends keep the order),
// with an index of the resource's unique key (code, or a stock's unique set) → id.
type table[T any, P record[T]] struct {
	rows   []T
	unique map[string]int64
	lastID int64 // the highest id ever given, so that ids are never reused
}

func newTable[T any, P record[T]]() table[T, P] {
	return table[T, P]{unique: map[string]int64{}}
}

func idOf[T any, P record[T]](rec *T) int64 { return *P(rec).head().id }

// search returns where id is or would be in rows: O(log n).
func (t *table[T, P]) search(id int64) (int, bool) {
	i := sort.Search(len(t.rows), func(i int) bool { return idOf[T, P](&t.rows[i]) >= id })
	return i, i < len(t.rows) && idOf[T, P](&t.rows[i]) == id
}

// get returns the record with id, or nil. The pointer is valid until the table changes.
func (t *table[T, P]) get(id int64) *T {
	if i, ok := t.search(id); ok {
		return &t.rows[i]
	}
	return nil
}

// insert stores rec, giving it the next id unless it has one (seeded records may choose theirs).
func (t *table[T, P]) insert(rec *T) error {
	h := P(rec).head()
	if *h.id == 0 {
		*h.id = t.lastID + 1
	}
	i, taken := t.search(*h.id)
	if taken || *h.id < 0 {
		return fmt.Errorf("id %d is taken or invalid", *h.id)
	}
	t.lastID = max(t.lastID, *h.id)
	t.rows = slices.Insert(t.rows, i, *rec)
	return nil
}

// clone is a copy of t that changes to t leave alone: updates replace records, never write
// through their pointers.
func (t *table[T, P]) clone() table[T, P] {
	return table[T, P]{rows: slices.Clone(t.rows), unique: maps.Clone(t.unique), lastID: t.lastID}
}

func (t *table[T, P]) remove(id int64) {
	if i, ok := t.search(id); ok {
		t.rows = slices.Delete(t.rows, i, i+1)
	}
}
