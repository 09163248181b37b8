package whippywaretest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// filter turns one query parameter's value into a predicate over records; a non-empty refusal
// answers 400 under the parameter's name (as django-filter does for a choice it cannot find).
type filter[T any] func(st *store, value string) (match func(*T) bool, refusal string)

// resource describes one collection. Its generic methods serve list, create, read, update and
// delete for all five collections; a resource only says what differs.
type resource[T any, P record[T]] struct {
	name  string // singular, for messages: "stock location"
	title string // DRF's view name: "Stock Location"
	// fields are the serializer's, in its order: the order of record keys and error keys.
	fields []fieldSpec
	table  func(*store) *table[T, P]
	// defaults fills the fields a create may omit; it leaves set fields alone, so it also
	// completes seeded records.
	defaults func(*T)
	// decode reads the resource's own fields from a body; is_active is read generically.
	decode func(f *form, rec *T)
	// check validates relations to other records, under the lock; nil when there are none.
	check func(st *store, f *form, rec *T)
	// unique gives the key that must be unique in the table; nil when there is none. A
	// duplicate is reported under uniqueField with uniqueMsg.
	unique                 func(st *store, rec *T) string
	uniqueField, uniqueMsg string
	filters                map[string]filter[T]
	// inUse says why the record may not be deleted, or "" when it may.
	inUse func(st *store, rec *T) string
	// changed carries an update into other records (a renamed code into the stocks).
	changed func(st *store, old, rec *T)
	// cascade deletes the records that use rec, for WithCascadeDelete.
	cascade func(st *store, rec *T)
	// renderer, when set, returns how records go on the wire when that is not as they are
	// stored (a stock's location as an id WithStockLocationByID), or nil; the caller holds the
	// lock.
	renderer func(st *store) func(rec *T) any

	fieldNames         []string
	listView, itemView *view
}

// newResource completes a resource's derived parts: its views and the order of its fields.
func newResource[T any, P record[T]](res *resource[T, P]) *resource[T, P] {
	res.fieldNames = names(res.fields)
	res.listView, res.itemView = collectionViews(res.title, res.fields)
	return res
}

// endpoint is what the router needs of a resource, whatever its record type.
type endpoint interface {
	serve(s *Server, w http.ResponseWriter, r *http.Request, id string)
}

// serve answers a collection path (id == "") or a detail path in the order DRF's APIView
// works: content negotiation, authentication, then the method (405 for one the path lacks).
func (res *resource[T, P]) serve(s *Server, w http.ResponseWriter, r *http.Request, id string) {
	v := res.listView
	if id != "" {
		v = res.itemView
	}
	if !v.begin(w, r) || !s.authenticate(w, r) {
		return
	}
	switch m := r.Method; {
	case m == http.MethodOptions:
		res.options(s.st, w, id)
	case id == "" && (m == http.MethodGet || m == http.MethodHead):
		res.list(s, w, r)
	case id == "" && m == http.MethodPost:
		res.create(s.st, w, r)
	case id == "":
		methodNotAllowed(w, r)
	case m == http.MethodGet || m == http.MethodHead:
		res.retrieve(s.st, w, id)
	case m == http.MethodPut:
		res.update(s.st, w, r, id, false)
	case m == http.MethodPatch:
		res.update(s.st, w, r, id, true)
	case m == http.MethodDelete:
		res.destroy(s.st, w, id)
	default:
		methodNotAllowed(w, r)
	}
}

// options answers the view's metadata; a detail's leaves out the PUT action when the record
// does not exist, as SimpleMetadata does.
func (res *resource[T, P]) options(st *store, w http.ResponseWriter, id string) {
	if id == "" {
		writeOptions(w, res.listView.options)
		return
	}
	st.mu.RLock()
	found := res.lookup(st, id) != nil
	st.mu.RUnlock()
	if found {
		writeOptions(w, res.itemView.options)
	} else {
		writeOptions(w, res.itemView.optionsGone)
	}
}

func (res *resource[T, P]) list(s *Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg, ok := s.cfg.pageRequest(q)
	if !ok {
		writeDetail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	st := s.st
	st.mu.RLock()
	match, errs := res.matcher(st, q)
	if len(errs) > 0 {
		st.mu.RUnlock()
		writeFieldErrors(w, errs, nil)
		return
	}
	rows := res.table(st).rows
	if pg.last {
		count := len(rows)
		if match != nil {
			count = 0
			for i := range rows {
				if match(&rows[i]) {
					count++
				}
			}
		}
		pg.number = pg.pages(count)
	}
	start, end := pg.window()
	results := make([]T, 0, min(pg.size, len(rows)))
	count := 0
	if match == nil {
		count = len(rows) // no filter: slice the page out directly
		if start < count {
			results = append(results, rows[start:min(end, count)]...)
		}
	} else {
		for i := range rows {
			if match(&rows[i]) {
				if count >= start && count < end {
					results = append(results, rows[i])
				}
				count++
			}
		}
	}
	if render := res.rendering(st); render != nil {
		wire := make([]any, len(results))
		for i := range results {
			wire[i] = render(&results[i])
		}
		st.mu.RUnlock()
		writePage(w, r, pg, count, wire)
		return
	}
	st.mu.RUnlock()
	writePage(w, r, pg, count, results)
}

// matcher combines the filters the query names; unknown parameters are ignored, as the
// service ignores them.
func (res *resource[T, P]) matcher(st *store, q url.Values) (func(*T) bool, fieldErrors) {
	var preds []func(*T) bool
	if v, ok := queryBool(lastValue(q, "is_active")); ok {
		preds = append(preds, func(rec *T) bool { return *P(rec).head().active == v })
	}
	errs := fieldErrors{}
	for name, f := range res.filters {
		if v := lastValue(q, name); v != "" {
			if match, refusal := f(st, v); refusal != "" {
				errs.add(name, refusal)
			} else {
				preds = append(preds, match)
			}
		}
	}
	if len(preds) == 0 {
		return nil, errs
	}
	return func(rec *T) bool {
		for _, p := range preds {
			if !p(rec) {
				return false
			}
		}
		return true
	}, errs
}

// lastValue is a parameter's last value, the one Django's QueryDict.get returns.
func lastValue(q url.Values, name string) string {
	if vs := q[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// queryBool reads a boolean filter as django-filter does; anything else means "no filter".
func queryBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// equal is the filter for a string field matched exactly.
func equal[T any](field func(*T) string) filter[T] {
	return func(_ *store, v string) (func(*T) bool, string) {
		return func(rec *T) bool { return field(rec) == v }, ""
	}
}

// decodeAll reads every writable field of a body into rec.
func (res *resource[T, P]) decodeAll(f *form, rec *T) {
	f.boolean("is_active", P(rec).head().active)
	res.decode(f, rec)
}

// validate runs the checks that need the store: relations, then uniqueness. A unique set that
// is not one field (a stock's) is checked only once every field is valid, as DRF does.
func (res *resource[T, P]) validate(st *store, f *form, rec *T) {
	if res.check != nil {
		res.check(st, f, rec)
	}
	if res.unique == nil || f.errs.has(res.uniqueField) ||
		(res.uniqueField == nonFieldErrors && len(f.errs) > 0) {
		return
	}
	if other, taken := res.table(st).unique[res.unique(st, rec)]; taken && other != idOf[T, P](rec) {
		f.errs.add(res.uniqueField, res.uniqueMsg)
	}
}

// insert stores a validated record, filling its timestamps unless it carries them. The
// caller holds the write lock.
func (res *resource[T, P]) insert(st *store, rec *T) (T, error) {
	h := P(rec).head()
	if *h.created == "" {
		*h.created = st.now()
	}
	if *h.modified == "" {
		*h.modified = *h.created
	}
	t := res.table(st)
	if err := t.insert(rec); err != nil {
		return *rec, err
	}
	if res.unique != nil {
		t.unique[res.unique(st, rec)] = *h.id
	}
	return *rec, nil
}

func (res *resource[T, P]) create(st *store, w http.ResponseWriter, r *http.Request) {
	data, ok := readData(w, r)
	if !ok {
		return
	}
	var rec T
	*P(&rec).head().active = true
	if res.defaults != nil {
		res.defaults(&rec)
	}
	f := newForm(data, false)
	res.decodeAll(f, &rec)
	st.mu.Lock()
	res.validate(st, f, &rec)
	if len(f.errs) > 0 {
		st.mu.Unlock()
		writeFieldErrors(w, f.errs, res.fieldNames)
		return
	}
	out, err := res.insert(st, &rec) // cannot fail: the id is fresh
	wire := res.wire(st, &out)
	st.mu.Unlock()
	if err != nil {
		serverError(w)
		return
	}
	writeJSON(w, http.StatusCreated, wire)
}

// lookup finds the record a detail path names; a non-integer id is simply not found.
func (res *resource[T, P]) lookup(st *store, id string) *T {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return res.table(st).get(n)
}

func (res *resource[T, P]) retrieve(st *store, w http.ResponseWriter, id string) {
	st.mu.RLock()
	rec := res.lookup(st, id)
	var out any
	if rec != nil {
		out = res.wire(st, rec)
	}
	st.mu.RUnlock()
	if rec == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// wire is a copy of rec as the service answers it; the caller holds the lock.
func (res *resource[T, P]) wire(st *store, rec *T) any {
	if render := res.rendering(st); render != nil {
		return render(rec)
	}
	return *rec
}

func (res *resource[T, P]) rendering(st *store) func(*T) any {
	if res.renderer == nil {
		return nil
	}
	return res.renderer(st)
}

// update is PUT (a full update: every required field) and PATCH (partial: the fields sent).
func (res *resource[T, P]) update(st *store, w http.ResponseWriter, r *http.Request, id string, partial bool) {
	st.mu.RLock()
	cur := res.lookup(st, id)
	st.mu.RUnlock()
	if cur == nil {
		notFound(w) // before reading the body, as DRF looks the object up first
		return
	}
	data, ok := readData(w, r)
	if !ok {
		return
	}
	f := newForm(data, partial)
	st.mu.Lock()
	cur = res.lookup(st, id) // again: it may have gone while the body was read
	if cur == nil {
		st.mu.Unlock()
		notFound(w)
		return
	}
	old, next := *cur, *cur
	res.decodeAll(f, &next)
	res.validate(st, f, &next)
	if len(f.errs) > 0 {
		st.mu.Unlock()
		writeFieldErrors(w, f.errs, res.fieldNames)
		return
	}
	*P(&next).head().modified = st.now()
	t := res.table(st)
	if res.unique != nil {
		delete(t.unique, res.unique(st, &old))
		t.unique[res.unique(st, &next)] = idOf[T, P](&next)
	}
	*cur = next
	if res.changed != nil {
		res.changed(st, &old, &next)
	}
	out := res.wire(st, &next)
	st.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (res *resource[T, P]) destroy(st *store, w http.ResponseWriter, id string) {
	st.mu.Lock()
	rec := res.lookup(st, id)
	refusal := ""
	switch {
	case rec == nil:
	case st.cascade && res.cascade != nil:
		res.cascade(st, rec)
	case res.inUse != nil:
		refusal = res.inUse(st, rec)
	}
	if rec != nil && refusal == "" {
		res.remove(st, rec)
	}
	st.mu.Unlock()
	switch {
	case rec == nil:
		notFound(w)
	case refusal != "":
		writeJSON(w, http.StatusBadRequest, []string{refusal})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// remove deletes rec from its table; the caller holds the write lock.
func (res *resource[T, P]) remove(st *store, rec *T) {
	t := res.table(st)
	if res.unique != nil {
		delete(t.unique, res.unique(st, rec))
	}
	t.remove(idOf[T, P](rec))
}

// removeWhere deletes every record that match selects, cascading first; the caller holds the
// write lock.
func (res *resource[T, P]) removeWhere(st *store, match func(*T) bool) {
	t := res.table(st)
	for i := len(t.rows) - 1; i >= 0; i-- {
		if i < len(t.rows) && match(&t.rows[i]) {
			rec := t.rows[i]
			if res.cascade != nil {
				res.cascade(st, &rec)
			}
			res.remove(st, &rec)
		}
	}
}

// seed stores rec for a test control through the same validation as a POST, keeping the id
// and timestamps it carries and filling zero ones. The JSON round trip also leaves the store
// no pointer the caller still holds.
func (res *resource[T, P]) seed(st *store, rec T, active bool) (T, error) {
	if res.defaults != nil {
		res.defaults(&rec)
	}
	var raw map[string]json.RawMessage
	if err := roundTrip(rec, &raw); err != nil {
		return rec, err
	}
	delete(raw, "is_active")
	var out T
	*P(&out).head().active = active
	f := newForm(requestData{raw: raw}, false)
	f.seed = true
	res.decodeAll(f, &out)
	in, h := P(&rec).head(), P(&out).head()
	*h.id, *h.created, *h.modified = *in.id, *in.created, *in.modified
	st.mu.Lock()
	defer st.mu.Unlock()
	res.validate(st, f, &out)
	if len(f.errs) > 0 {
		body, _ := json.Marshal(f.errs)
		return out, fmt.Errorf("invalid %s: %s", res.name, body)
	}
	return res.insert(st, &out)
}

// all returns a deep copy of every record, in id order. The store never writes through a
// record's pointers (updates replace them), so the copy may be made outside the lock.
func (res *resource[T, P]) all(st *store) []T {
	st.mu.RLock()
	rows := slices.Clone(res.table(st).rows)
	st.mu.RUnlock()
	out := make([]T, 0, len(rows)) // not nil when empty: JSON null would make it nil
	if len(rows) > 0 {
		if err := roundTrip(rows, &out); err != nil {
			panic("whippywaretest: copying records: " + err.Error()) // cannot happen: plain structs
		}
	}
	return out
}

func roundTrip(in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// AddOption changes how an Add method stores a record.
type AddOption struct{ active bool }

// Inactive makes an Add method store the record with is_active false. Without it every added
// record is active, as a POST that leaves out is_active stores it, whatever its IsActive.
func Inactive() AddOption { return AddOption{active: false} }

// mustSeed is the body of the Add* test controls: a record a test cannot store is a bug in
// the test, so it panics with the reason, like a Must function.
func mustSeed[T any, P record[T]](s *Server, res *resource[T, P], rec T, opts []AddOption) T {
	active := true
	for _, opt := range opts {
		active = opt.active
	}
	out, err := res.seed(s.st, rec, active)
	if err != nil {
		panic("whippywaretest: cannot add " + err.Error())
	}
	return out
}
