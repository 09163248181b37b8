package whippywaretest

import (
	"encoding/json"
	"fmt"
	"slices"
)

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

// AddAll calls add, which stores records with the Add methods, all or none: when add returns
// an error or an Add method panics, the records go back to what they were before add ran
// (which also undoes what requests changed meanwhile), and AddAll returns the error. Calls
// of AddAll must not overlap.
func (s *Server) AddAll(add func() error) (err error) {
	st := s.st
	st.mu.RLock()
	p, l, r, li, sk := st.providers.clone(), st.locations.clone(), st.rules.clone(), st.lists.clone(), st.stocks.clone()
	st.mu.RUnlock()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
		if err != nil {
			st.mu.Lock()
			st.providers, st.locations, st.rules, st.lists, st.stocks = p, l, r, li, sk
			st.mu.Unlock()
		}
	}()
	return add()
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
