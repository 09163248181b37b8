package whippywaretest

import (
	"net/http"
	"net/url"
)

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
	// putDefaults resets what a PUT leaves out to the model default: unique-together fields
	// (serializers.py ModelSerializer.get_uniqueness_extra_kwargs).
	putDefaults func(*T)
	// decode reads the resource's own fields from a body; is_active is read generically.
	decode func(f *form, rec *T)
	// check validates relations to other records, under the lock; nil when there are none.
	check func(st *store, f *form, rec *T)
	// unique gives the key that must be unique in the table, or is nil; a duplicate is
	// uniqueMsg under uniqueField.
	unique                 func(st *store, rec *T) string
	uniqueField, uniqueMsg string
	filters                []namedFilter[T]
	// inUse says why the record may not be deleted, or "" when it may.
	inUse func(st *store, rec *T) string
	// changed carries an update into other records (a renamed code into the stocks).
	changed func(st *store, old, rec *T)
	// cascade deletes the records that use rec, for WithCascadeDelete.
	cascade func(st *store, rec *T)
	// wire is a copy of a record as the service answers it, when that is not the record
	// itself (a stock's location as an id WithStockLocationByID); the caller holds the lock.
	wire func(st *store, rec *T) any

	fieldNames         []string
	listView, itemView *view
}

// newResource completes a resource's derived parts: its views and the order of its fields.
func newResource[T any, P record[T]](res *resource[T, P]) *resource[T, P] {
	res.fieldNames = names(res.fields)
	res.listView, res.itemView = collectionViews(res.title, res.fields)
	if res.wire == nil {
		res.wire = func(_ *store, rec *T) any { return *rec }
	}
	return res
}

// endpoint is what the router needs of a resource, whatever its record type.
type endpoint interface {
	serve(s *Server, w http.ResponseWriter, r *http.Request, id string)
	view(detail bool) *view
}

// view is the collection's list APIView, or its detail one.
func (res *resource[T, P]) view(detail bool) *view {
	if detail {
		return res.itemView
	}
	return res.listView
}

// serve answers a collection path (id == "") or a detail path in the order DRF's APIView
// works: content negotiation, authentication, then the method (405 for one the path lacks).
func (res *resource[T, P]) serve(s *Server, w http.ResponseWriter, r *http.Request, id string) {
	if !res.view(id != "").begin(w, r) || !s.authenticate(w, r) {
		return
	}
	q := parseQueryDict(r.URL.RawQuery) // request.GET, the filters
	switch m := viewMethod(r); {
	case m == http.MethodOptions:
		res.options(s.st, w, id, q)
	case id == "" && (m == http.MethodGet || m == http.MethodHead):
		res.list(s, w, r, q)
	case id == "" && m == http.MethodPost:
		res.create(s.st, w, r)
	case id == "":
		methodNotAllowed(w, r)
	case m == http.MethodGet || m == http.MethodHead:
		res.retrieve(s.st, w, id, q)
	case m == http.MethodPut:
		res.update(s.st, w, r, id, q, false)
	case m == http.MethodPatch:
		res.update(s.st, w, r, id, q, true)
	case m == http.MethodDelete:
		res.destroy(s.st, w, id, q)
	default:
		methodNotAllowed(w, r)
	}
}

// options answers the view's metadata; a detail's leaves out the PUT action when the record
// does not exist, as SimpleMetadata does.
func (res *resource[T, P]) options(st *store, w http.ResponseWriter, id string, q url.Values) {
	body := res.listView.options
	if id != "" {
		st.mu.RLock()
		rec, _ := res.find(st, id, q) // determine_actions catches the filters' refusal too
		st.mu.RUnlock()
		if body = res.itemView.options; rec == nil {
			body = res.itemView.optionsGone
		}
	}
	writeOptions(w, body)
}

// decodeAll reads every writable field of a body into rec.
func (res *resource[T, P]) decodeAll(f *form, rec *T) {
	f.boolean("is_active", P(rec).head().active)
	res.decode(f, rec)
}

// validate runs the checks that need the store: relations, then uniqueness (a unique set,
// UniqueTogetherValidator, only once every field is valid).
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

// insert stores a validated record, with timestamps unless it carries them; under the lock.
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
	out, _ := res.insert(st, &rec) // cannot fail: the id is fresh
	wire := res.wire(st, &out)
	st.mu.Unlock()
	writeJSON(w, http.StatusCreated, wire)
}

// list is mixins.py ListModelMixin.list: the filters (a refusal is 400 before a bad page's
// 404), then a page.
func (res *resource[T, P]) list(s *Server, w http.ResponseWriter, r *http.Request, q url.Values) {
	st := s.st
	st.mu.RLock()
	match, refusals := res.matcher(st, q)
	pg, pageOK := s.cfg.pageRequest(q)
	if len(refusals) > 0 || !pageOK {
		st.mu.RUnlock()
		notFoundOr(w, refusals, msgInvalidPage)
		return
	}
	rows := res.table(st).rows
	// window is the page of the matching records from the start'th, and how many match: one
	// pass that copies only the page (a 200,000-row store is read in 200 pages).
	window := func(start int) (results []any, count int) {
		results = make([]any, 0, min(pg.size, len(rows)))
		if match == nil { // every row matches: the page is a slice of the table
			for i := start; i < min(start+pg.size, len(rows)); i++ {
				results = append(results, res.wire(st, &rows[i]))
			}
			return results, len(rows)
		}
		for i := range rows {
			if match(&rows[i]) {
				if count >= start && len(results) < pg.size {
					results = append(results, res.wire(st, &rows[i]))
				}
				count++
			}
		}
		return results, count
	}
	if pg.last {
		_, count := window(0)
		pg.number = pg.pages(count)
	}
	results, count := window((pg.number - 1) * pg.size)
	st.mu.RUnlock()
	writePage(w, r, q, pg, count, results)
}

// find is generics.py GenericAPIView.get_object: filter_queryset (values the filters refuse
// are refusals, a 400), then get_object_or_404 by int(id), so GET /providers/1/?code=nope is
// 404. The caller holds the lock.
func (res *resource[T, P]) find(st *store, id string, q url.Values) (rec *T, refusals orderedObject) {
	match, refusals := res.matcher(st, q)
	if n, ok := pyInt(id); ok && len(refusals) == 0 {
		rec = res.table(st).get(n)
	}
	if rec != nil && match != nil && !match(rec) {
		rec = nil
	}
	return rec, refusals
}

// notFoundOr answers what find or list found missing: the filters' 400, or 404 with detail.
func notFoundOr(w http.ResponseWriter, refusals orderedObject, detail string) {
	if len(refusals) > 0 {
		writeJSON(w, http.StatusBadRequest, refusals)
	} else {
		writeDetail(w, http.StatusNotFound, detail)
	}
}

func (res *resource[T, P]) retrieve(st *store, w http.ResponseWriter, id string, q url.Values) {
	st.mu.RLock()
	rec, refusals := res.find(st, id, q)
	var out any
	if rec != nil {
		out = res.wire(st, rec)
	}
	st.mu.RUnlock()
	if rec == nil {
		notFoundOr(w, refusals, msgNotFound)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// update is PUT (a full update: every required field) and PATCH (partial: the fields sent).
func (res *resource[T, P]) update(st *store, w http.ResponseWriter, r *http.Request, id string, q url.Values, partial bool) {
	st.mu.RLock()
	cur, refusals := res.find(st, id, q)
	st.mu.RUnlock()
	if cur == nil {
		notFoundOr(w, refusals, msgNotFound) // before reading the body, as DRF looks the object up first
		return
	}
	data, ok := readData(w, r)
	if !ok {
		return
	}
	f := newForm(data, partial)
	st.mu.Lock()
	cur, refusals = res.find(st, id, q) // again: it may have gone while the body was read
	if cur == nil {
		st.mu.Unlock()
		notFoundOr(w, refusals, msgNotFound)
		return
	}
	old, next := *cur, *cur
	if !partial && res.putDefaults != nil {
		res.putDefaults(&next)
	}
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

func (res *resource[T, P]) destroy(st *store, w http.ResponseWriter, id string, q url.Values) {
	st.mu.Lock()
	rec, refusals := res.find(st, id, q)
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
		notFoundOr(w, refusals, msgNotFound)
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
