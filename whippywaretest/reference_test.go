//go:build reference

package whippywaretest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// The reference differential: the same requests, in the same order, to a fresh reference
// service (reference/, real Django REST framework; WHIPPYWARE_REFERENCE_URL) and to a fresh
// fake over a socket, comparing status, the headers a client reads, and bodies. Keys,
// timestamps and the base URL are normalised; nothing else is. A step may differ only where
// it names a row of the package doc's table (known), which must be there.

// diffStep is one request. Header values and the path may hold {key} (the service's login
// key) and {name} for a value an earlier step saved.
type diffStep struct {
	name, method, path string
	body               string
	ctype              string   // the body's Content-Type: JSON unless set; "-" for none
	header             []string // "Name: value", sent in order (a name may repeat)
	noAuth             bool     // send no Authorization of its own
	chunked            bool     // send the body without a Content-Length
	save               string   // save the answer's "id" under this name
	// known is a phrase of the package doc's table saying why the answers may differ;
	// textOnly narrows it to the messages: status, headers and the body's shape must match.
	known    string
	textOnly bool
}

type peer struct {
	base string
	vars map[string]string
}

type answer struct {
	status int
	header map[string]string
	body   string
}

// The headers a client reads.
var diffHeaders = []string{"Content-Type", "Allow", "Vary", "WWW-Authenticate", "Location", "Retry-After"}

func (p *peer) fill(s string) string {
	for k, v := range p.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

func (p *peer) send(t *testing.T, s diffStep) answer {
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(p.fill(s.body))
		if s.chunked {
			body = io.MultiReader(body)
		}
	}
	req, err := http.NewRequest(s.method, p.base+p.fill(s.path), body)
	require.NoError(t, err)
	if !s.noAuth && p.vars["key"] != "" {
		req.Header.Set("Authorization", "Token "+p.vars["key"])
	}
	switch {
	case s.ctype == "-":
	case s.ctype != "":
		req.Header.Set("Content-Type", s.ctype)
	case s.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range s.header {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Add(name, p.fill(value))
	}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(t, err, s.name)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err, s.name)
	a := answer{status: res.StatusCode, header: map[string]string{}, body: p.normalize(string(raw))}
	for _, h := range diffHeaders {
		a.header[h] = p.normalize(res.Header.Get(h))
	}
	var obj map[string]any
	if s.save != "" && json.Unmarshal(raw, &obj) == nil {
		if v, ok := obj[s.save]; ok {
			p.vars[s.save] = fmt.Sprint(v)
		} else if id, ok := obj["id"]; ok {
			p.vars[s.save] = fmt.Sprint(id)
		}
	}
	return a
}

var (
	keyPattern  = regexp.MustCompile(`[0-9a-f]{40}`)
	timePattern = regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+[+-]\d\d:\d\d`)
)

func (p *peer) normalize(s string) string {
	s = keyPattern.ReplaceAllString(s, "<key>")
	s = timePattern.ReplaceAllString(s, "<ts>")
	return strings.ReplaceAll(s, p.base, "<base>")
}

// shape is a JSON body with every string blanked: what must match when only the messages
// may differ.
func shape(body string) string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return body
	}
	var blank func(any) any
	blank = func(v any) any {
		switch x := v.(type) {
		case string:
			return ""
		case []any:
			for i := range x {
				x[i] = blank(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = blank(x[k])
			}
		}
		return v
	}
	out, _ := json.Marshal(blank(v))
	return string(out)
}

func TestReferenceDifferential(t *testing.T) {
	refURL := strings.TrimSuffix(os.Getenv("WHIPPYWARE_REFERENCE_URL"), "/")
	if refURL == "" {
		t.Skip("WHIPPYWARE_REFERENCE_URL is not set; CONTRIBUTING.md says how to start the reference")
	}
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	fake := wt.NewTestServer(t)
	peers := []*peer{{base: refURL, vars: map[string]string{}}, {base: fake.URL, vars: map[string]string{}}}
	for _, p := range peers {
		a := p.send(t, diffStep{method: "POST", path: "/api/v1/auth/login/", body: `{"username":"test","password":"test_pass"}`, save: "key"})
		require.Equal(t, http.StatusOK, a.status, "login to %s: %s", p.base, a.body)
		a = p.send(t, diffStep{method: "GET", path: "/api/v1/providers/"})
		require.Contains(t, a.body, `"count":0`, "%s is not fresh: start the reference anew (reference/serve.py)", p.base)
	}

	steps := diffSteps()
	var differ, known []string
	for _, s := range steps {
		ref, fk := peers[0].send(t, s), peers[1].send(t, s)
		same := ref.status == fk.status && fmt.Sprint(ref.header) == fmt.Sprint(fk.header)
		switch {
		case s.textOnly:
			same = same && shape(ref.body) == shape(fk.body)
		default:
			same = same && ref.body == fk.body
		}
		exact := same && ref.body == fk.body
		detail := fmt.Sprintf("%s %s\n  reference: %d %v %s\n  fake:      %d %v %s", s.method, s.path,
			ref.status, ref.header, ref.body, fk.status, fk.header, fk.body)
		switch {
		case s.known != "" && !bytes.Contains(doc, []byte(s.known)):
			t.Errorf("%s: the package doc's table has no row %q", s.name, s.known)
		case s.known != "" && exact:
			t.Errorf("%s: listed as differing (%q) but answered alike: %s", s.name, s.known, detail)
		case s.known != "" && s.textOnly && !same:
			t.Errorf("%s: only the message may differ (%q), but: %s", s.name, s.known, detail)
		case s.known != "":
			known = append(known, fmt.Sprintf("%s (%s)", s.name, s.known))
		case !same:
			differ = append(differ, s.name)
			t.Errorf("%s: %s", s.name, detail)
		}
	}
	t.Logf("reference differential: %d requests, %d differ where the package doc's table says, %d elsewhere",
		len(steps), len(known), len(differ))
	for _, k := range known {
		t.Logf("  known: %s", k)
	}
}

const (
	pp = "/api/v1/providers/"
	sp = "/api/v1/stocks/"
	lp = "/api/v1/stock-lists/"
	rp = "/api/v1/stock-list-rules/"
	cp = "/api/v1/stock-locations/"
)

func get(name, path string) diffStep { return diffStep{name: name, method: "GET", path: path} }

func post(name, path, body string) diffStep {
	return diffStep{name: name, method: "POST", path: path, body: body}
}

func with(s diffStep, change func(*diffStep)) diffStep { change(&s); return s }

func diffSteps() []diffStep {
	login := func(name, body string) diffStep {
		return diffStep{name: name, method: "POST", path: "/api/v1/auth/login/", body: body, noAuth: true}
	}
	ok := `{"username":"test","password":"test_pass"}`
	stock := func(extra string) string {
		return `{"sku":"D1","provider":"provider_company","location":"112","stock":3` + extra + `}`
	}
	s := []diffStep{
		// The documented records, created as a client would.
		post("seed provider 1", pp, `{"name":"Provider","code":"provider_company","should_add_reservations":false}`),
		post("seed provider 2", pp, `{"name":"Shop Provider","code":"shop_provider"}`),
		post("seed location 110", cp, `{"name":"110","code":"110","provider":2}`),
		post("seed location 112", cp, `{"name":"112","code":"112","provider":1}`),
		post("seed rule", rp, `{"name":"Eshop Stock List Rule","rule":{},"rule_type":"sql"}`),
		post("seed stock list 1", lp, `{"code":"alpha_stock_list","name":"Alpha Stock List","remote_id":1,"stock_list_rule":1}`),
		post("seed stock list 2", lp, `{"code":"marketplace_stock_list","name":"Marketplace Stock List","remote_id":2,"stock_list_rule":"1"}`),
		post("seed stock", sp, `{"sku":"555AB13004562130","provider":"shop_provider","location":"110","stock":5}`),

		// Login and keys.
		login("login again: the same key", ok),
		login("login wrong password", `{"username":"test","password":"nope"}`),
		login("login {}", `{}`),
		login("login password with spaces around", `{"username":"test","password":" test_pass "}`),
		login("login username with spaces around", `{"username":" test ","password":"test_pass"}`),
		with(login("login form-encoded", "username=test&password=test_pass"), func(s *diffStep) { s.ctype = formCT }),
		with(login("login no Content-Type", ok), func(s *diffStep) { s.ctype = "-" }),
		with(login("login with a dead key", ok), func(s *diffStep) { s.header = []string{"Authorization: Token deadbeef"} }),
		with(login("login with a Bearer header", ok), func(s *diffStep) { s.header = []string{"Authorization: Bearer x"} }),
		with(login("login chunked", ok), func(s *diffStep) { s.chunked = true }),
		login("login password a number", `{"username":"test","password":5}`),
		login("login password with a NUL", `{"username":"test","password":" \u0000 "}`),
		login("login password of spaces", `{"username":"test","password":"  "}`),
		with(get("GET login", "/api/v1/auth/login/"), func(s *diffStep) { s.noAuth = true }),
		with(diffStep{name: "OPTIONS login", method: "OPTIONS", path: "/api/v1/auth/login/"}, func(s *diffStep) { s.noAuth = true }),

		// Authorization header variants.
		with(get("no Authorization", pp), func(s *diffStep) { s.noAuth = true }),
		with(get("Bearer", pp), func(s *diffStep) { s.noAuth, s.header = true, []string{"Authorization: Bearer {key}"} }),
		with(get("Token without a key", pp), func(s *diffStep) { s.noAuth, s.header = true, []string{"Authorization: Token"} }),
		with(get("Token a b", pp), func(s *diffStep) { s.noAuth, s.header = true, []string{"Authorization: Token a b"} }),
		with(get("lower-case token", pp), func(s *diffStep) { s.noAuth, s.header = true, []string{"Authorization: token {key}"} }),
		with(get("Authorization twice", pp), func(s *diffStep) {
			s.noAuth, s.header = true, []string{"Authorization: Token {key}", "Authorization: Token {key}"}
		}),

		// Lists, paging and filters.
		get("GET providers/", pp), get("GET stock-locations/", cp), get("GET stock-list-rules/", rp),
		get("GET stock-lists/", lp), get("GET stocks/", sp), get("GET the API root", "/api/v1/"),
		with(get("HEAD providers/", pp), func(s *diffStep) { s.method = "HEAD" }),
	}
	for _, q := range []string{"page=", "page=last", "page=0", "page=abc", "page=99", "page=1&page=2", "limit=0", "limit=-1",
		"limit=abc", "limit=5000", "limit=1", "limit=1&page=2", "page=2&limit=1&code=x", "limit=1&page=last",
		"is_active=false", "is_active=maybe", "is_active=False", "is_active=1", "unknown=1", "code=provider_company",
		"code=%20provider_company%20", "code=%20%20", "name=Shop%20Provider", "code=a%00"} {
		s = append(s, get("GET providers/?"+q, pp+"?"+q))
	}
	for _, q := range []string{"provider=shop_provider", "location=110", "location=1", "provider=2", "sku=555AB13004562130",
		"stock_type=standard", "stock_type=b2b", "sku=x&provider=shop_provider"} {
		s = append(s, get("GET stocks/?"+q, sp+"?"+q))
	}
	for _, q := range []string{"provider=2", "provider=abc", "provider=999", "provider=", "code=110&provider=2"} {
		s = append(s, get("GET stock-locations/?"+q, cp+"?"+q))
	}
	s = append(s, get("GET stock-list-rules/?rule_type=sql", rp+"?rule_type=sql"),
		// A refused filter is 400 before a bad page's 404; errors in the FilterSet's field order.
		get("GET stock-locations/?page=abc&provider=abc", cp+"?page=abc&provider=abc"),
		get("GET providers/?page=0&name=%00", pp+"?page=0&name=%00"),
		get("GET stocks/ four refused filters", sp+"?location=%00&provider=%00&stock_type=%00&sku=%00"),
		diffStep{name: "DELETE stocks/1/ two refused filters", method: "DELETE", path: sp + "1/?location=%00&sku=%00"},
		// Queries and forms are read as QueryDict reads them: "&" alone separates, a bare "%" stays.
		get("GET providers/?code=provider_company;x", pp+"?code=provider_company;x"),
		diffStep{name: "DELETE providers/1/?name=100%", method: "DELETE", path: pp + "1/?name=100%"},
		with(post("POST providers/ form with ; and a bare %", pp, "name=ACME; 50%+off&code=acme%3B1"),
			func(s *diffStep) { s.ctype = formCT }))

	s = append(s,
		// Details, filters on details, slashes.
		get("GET providers/1/", pp+"1/"), get("GET providers/999/", pp+"999/"), get("GET providers/abc/", pp+"abc/"),
		get("GET providers/1/?code=nope", pp+"1/?code=nope"),
		get("GET providers/1/?code=provider_company", pp+"1/?code=provider_company"),
		get("GET stock-locations/1/?provider=abc", cp+"1/?provider=abc"),
		get("GET stocks/1/?sku=x", sp+"1/?sku=x"),
		get("GET providers/1/?is_active=false", pp+"1/?is_active=false"),
		get("GET providers (no slash)", "/api/v1/providers"),
		get("GET providers/1 (no slash) with a query", "/api/v1/providers/1?a=b"),
		post("POST providers (no slash)", "/api/v1/providers", `{"name":"n","code":"noslash"}`),
		get("GET providers/?code=noslash (stored?)", pp+"?code=noslash"),
		with(post("PATCH providers/1 (no slash)", pp+"1", `{"name":"x"}`), func(s *diffStep) { s.method = "PATCH" }),
		diffStep{name: "OPTIONS providers/", method: "OPTIONS", path: pp},
		diffStep{name: "OPTIONS providers/1/", method: "OPTIONS", path: pp + "1/"},
		diffStep{name: "OPTIONS providers/999/", method: "OPTIONS", path: pp + "999/"},
		diffStep{name: "OPTIONS stocks/", method: "OPTIONS", path: sp},
		diffStep{name: "OPTIONS stock-lists/", method: "OPTIONS", path: lp},
		diffStep{name: "OPTIONS stock-list-rules/", method: "OPTIONS", path: rp},
		diffStep{name: "OPTIONS stock-locations/1/", method: "OPTIONS", path: cp + "1/"},
		diffStep{name: "OPTIONS expire-token/", method: "OPTIONS", path: "/api/v1/expire-token/"},
		diffStep{name: "OPTIONS without a key", method: "OPTIONS", path: pp, noAuth: true},
		diffStep{name: "DELETE providers/ (the collection)", method: "DELETE", path: pp},
		diffStep{name: "PUT providers/ (the collection)", method: "PUT", path: pp, body: "{}"},
		diffStep{name: "POST providers/1/", method: "POST", path: pp + "1/", body: "{}"},
		get("GET an unknown route", "/api/v1/nope/"),
		get("GET outside the API", "/"),
		with(get("Accept: application/json", pp+"1/"), func(s *diffStep) { s.header = []string{"Accept: application/json"} }),
		with(get("Accept: */*", pp+"1/"), func(s *diffStep) { s.header = []string{"Accept: */*"} }),
		with(get("Accept: Application/JSON", pp+"1/"), func(s *diffStep) { s.header = []string{"Accept: Application/JSON"} }),
		with(get("Accept: application/xml", pp), func(s *diffStep) { s.header = []string{"Accept: application/xml"} }),
		with(get("Accept: text/html", pp), func(s *diffStep) {
			s.header, s.known = []string{"Accept: text/html"}, "Browsable API"
		}),

		// Writes.
		with(post("POST providers/", pp, `{"name":"Diff","code":"diff1"}`), func(s *diffStep) { s.save = "pid" }),
		post("POST providers/ duplicate code", pp, `{"name":"Diff","code":"diff1"}`),
		with(post("POST providers/ no Content-Type", pp, `{"name":"n","code":"diff2"}`), func(s *diffStep) { s.ctype = "-" }),
		with(post("POST providers/ text/plain", pp, `{"name":"n","code":"diff3"}`), func(s *diffStep) { s.ctype = "text/plain" }),
		with(post("POST providers/ form", pp, "name=Form&code=diff4&name=Last"), func(s *diffStep) { s.ctype = formCT }),
		with(post("POST providers/ form with a checkbox", pp, "name=F&code=diff4b&is_active=on&should_add_reservations=true"),
			func(s *diffStep) { s.ctype = formCT }),
		with(post("POST providers/ multipart", pp, "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nM\r\n"+
			"--B\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\ndiff4c\r\n--B--\r\n"),
			func(s *diffStep) { s.ctype = "multipart/form-data; boundary=B" }),
		with(post("POST providers/ chunked", pp, `{"name":"n","code":"chunked"}`), func(s *diffStep) { s.chunked = true }),
		post("POST providers/ a JSON list", pp, `[{"name":"n","code":"diff5"}]`),
		post("POST providers/ JSON null", pp, `null`),
		post("POST providers/ a JSON string", pp, `"x"`),
		with(post("POST providers/ malformed JSON", pp, `{"name": `), func(s *diffStep) {
			s.known, s.textOnly = "JSON parse error", true
		}),
		with(post("POST providers/ not UTF-8", pp, "{\"name\":\"\xff\",\"code\":\"u8\"}"), func(s *diffStep) {
			s.known, s.textOnly = "JSON parse error", true
		}),
		// The next two would store a record on one side only: a blank name keeps both from it.
		with(post("POST providers/ a character cut off at the end", pp, "{\"name\":\"\",\"code\":\"u9\"}\xf0\x9f"),
			func(s *diffStep) { s.known = "a character cut off at the" }),
		with(post("POST providers/ a lone surrogate", pp, `{"name":"","code":"u\udc00"}`), func(s *diffStep) {
			s.known = "lone surrogates"
		}),
		with(get("GET providers/?format=xml", pp+"?format=xml"), func(s *diffStep) { s.known = "?format= are ignored" }),
		with(get("GET providers/1/ Accept indent=2", pp+"1/"), func(s *diffStep) {
			s.header, s.known = []string{"Accept: application/json; indent=2"}, "indent= and"
		}),
		post("POST providers/ 1000-character name", pp, `{"name":"`+strings.Repeat("x", 1000)+`","code":"diff6"}`),
		post("POST providers/ 129-character code", pp, `{"name":"n","code":"`+strings.Repeat("c", 129)+`"}`),
		post("POST providers/ 255 two-byte characters", pp, `{"name":"`+strings.Repeat("ş", 255)+`","code":"diff6b"}`),
		post("POST providers/ blank name, null code", pp, `{"name":"  ","code":null}`),
		post("POST providers/ wrong types", pp, `{"name":5,"code":["x"],"should_add_reservations":"maybe"}`),
		post("POST providers/ name a number", pp, `{"name":5,"code":"diff8"}`),
		post("POST providers/ trimmed as str.strip()", pp, `{"name":"\u3000n\u001f","code":" diff9\u001c "}`),
		post("POST providers/ a NUL", pp, `{"name":"a\u0000b","code":"diff10"}`),
		post("POST providers/ booleans as words", pp, `{"name":"n","code":"diff11","is_active":"no","should_add_reservations":"Yes"}`),
		post("POST providers/ booleans as 1 and 0", pp, `{"name":"n","code":"diff12","is_active":0,"should_add_reservations":1}`),
		post("POST providers/ unknown and read-only fields", pp, `{"name":"n","code":"diff13","bogus":1,"id":77,"created_date":"x"}`),
		with(post("PUT providers/{pid}/", pp+"{pid}/", `{"name":"Put","code":"diff1"}`), func(s *diffStep) { s.method = "PUT" }),
		with(post("PUT providers/{pid}/ without code", pp+"{pid}/", `{"name":"Put"}`), func(s *diffStep) { s.method = "PUT" }),
		with(post("PATCH providers/{pid}/ no Content-Type", pp+"{pid}/", `{"name":"x"}`), func(s *diffStep) { s.method, s.ctype = "PATCH", "-" }),
		with(post("PATCH providers/{pid}/ chunked", pp+"{pid}/", `{"name":"x"}`), func(s *diffStep) { s.method, s.chunked = "PATCH", true }),
		with(post("PATCH providers/{pid}/", pp+"{pid}/", `{"name":"Patched"}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH providers/{pid}/ filtered out", pp+"{pid}/?code=nope", `{"name":"no"}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH providers/{pid}/ unknown field only", pp+"{pid}/", `{"bogus":1}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH providers/{pid}/ form", pp+"{pid}/", "name=FormPatch"), func(s *diffStep) { s.method, s.ctype = "PATCH", formCT }),
		get("GET providers/{pid}/ after the patches", pp+"{pid}/"),
		diffStep{name: "DELETE providers/{pid}/ filtered out", method: "DELETE", path: pp + "{pid}/?code=nope"},
		diffStep{name: "DELETE providers/{pid}/", method: "DELETE", path: pp + "{pid}/"},
		diffStep{name: "DELETE providers/{pid}/ again", method: "DELETE", path: pp + "{pid}/"},
		diffStep{name: "DELETE providers/2/ (has locations)", method: "DELETE", path: pp + "2/"},
		diffStep{name: "DELETE stock-locations/1/ (has stock)", method: "DELETE", path: cp + "1/"},
		diffStep{name: "DELETE stock-list-rules/1/ (used)", method: "DELETE", path: rp + "1/"},

		// Stocks.
		with(post("POST stocks/", sp, stock("")), func(s *diffStep) { s.save = "sid" }),
		post("POST stocks/ location as the number 112", sp, `{"sku":"D3","provider":"provider_company","location":112,"stock":3}`),
		post("POST stocks/ location as id 2", sp, `{"sku":"D2","provider":"provider_company","location":2,"stock":3}`),
		post("POST stocks/ location 'nope'", sp, `{"sku":"D2","provider":"provider_company","location":"nope","stock":3}`),
		post("POST stocks/ location of another provider", sp, `{"sku":"D2","provider":"provider_company","location":"110","stock":3}`),
		post("POST stocks/ provider \"\"", sp, `{"sku":"D2","provider":"","location":"112","stock":3}`),
		post("POST stocks/ period a date", sp, `{"sku":"D4","provider":"provider_company","location":"112","stock":3,"period":"2024-5-1"}`),
		post("POST stocks/ period a timestamp", sp, `{"sku":"D5","provider":"provider_company","location":"112","stock":3,"period":"2024-05-10T00:00:00+03:00"}`),
		post("POST stocks/ period that does not exist", sp, `{"sku":"D5","provider":"provider_company","location":"112","stock":3,"period":"2024-02-30"}`),
		post("POST stocks/ duplicate row", sp, stock("")),
		post("POST stocks/ the same row, stock_type b2b", sp, stock(`,"stock_type":"b2b"`)),
		post("POST stocks/ unknown provider", sp, `{"sku":"D6","provider":"nope","location":"112","stock":3}`),
		post("POST stocks/ stock 2147483648", sp, `{"sku":"D7","provider":"provider_company","location":"112","stock":2147483648}`),
		post("POST stocks/ stock 'abc', reserved 1.5", sp, `{"sku":"D8","provider":"provider_company","location":"112","stock":"abc","reserved_stock":1.5}`),
		post("POST stocks/ stock '7', reserved 2.0", sp, `{"sku":"D8b","provider":"provider_company","location":"112","stock":"7","reserved_stock":2.0}`),
		post("POST stocks/ negative stock", sp, `{"sku":"D9","provider":"provider_company","location":"112","stock":-4}`),
		post("POST stocks/ without stock", sp, `{"sku":"D10","provider":"provider_company","location":"112"}`),
		post("POST stocks/ everything wrong", sp, `{"sku":"","stock":"x","period":"x","location":"nope"}`),
		post("POST stocks/ provider true", sp, `{"sku":"D12","provider":true,"location":"112","stock":1}`),
		post("POST stocks/ stock true", sp, `{"sku":"D11","provider":"provider_company","location":"112","stock":true}`),
		with(post("PATCH stocks/{sid}/ period null", sp+"{sid}/", `{"period":null}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH stocks/{sid}/ stock", sp+"{sid}/", `{"stock":9}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH stocks/{sid}/ location of another provider", sp+"{sid}/", `{"location":"110"}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PUT stocks/{sid}/ without stock_type", sp+"{sid}/", stock(`,"stock":4`)), func(s *diffStep) { s.method = "PUT" }),
		with(post("POST stocks/ a b2b row", sp, `{"sku":"B1","provider":"provider_company","location":"112","stock":1,"stock_type":"b2b"}`),
			func(s *diffStep) { s.save = "bid" }),
		with(post("PUT stocks/{bid}/ without stock_type: standard", sp+"{bid}/", `{"sku":"B1","provider":"provider_company","location":"112","stock":2}`),
			func(s *diffStep) { s.method = "PUT" }),
		with(post("POST stocks/ another b2b row", sp, stock(`,"stock_type":"b2b2"`)), func(s *diffStep) { s.save = "b2" }),
		with(post("PUT stocks/{b2}/ without stock_type: the standard row exists", sp+"{b2}/", stock("")), func(s *diffStep) { s.method = "PUT" }),
		get("GET stocks/?sku=D1", sp+"?sku=D1"),
		with(post("PATCH stock-locations/2/ to another provider (has stock)", cp+"2/", `{"provider":2}`), func(s *diffStep) { s.method = "PATCH" }),
		with(post("PATCH providers/1/ code: carried into stocks", pp+"1/", `{"code":"renamed"}`), func(s *diffStep) { s.method = "PATCH" }),
		get("GET stocks/?provider=renamed", sp+"?provider=renamed"),

		// Stock lists and rules.
		post("POST stock-lists/ rule '1'", lp, `{"code":"dl1","name":"n","stock_list_rule":"1"}`),
		post("POST stock-lists/ rule 999", lp, `{"code":"dl2","name":"n","stock_list_rule":999}`),
		post("POST stock-lists/ rule 'x'", lp, `{"code":"dl2","name":"n","stock_list_rule":"x"}`),
		post("POST stock-lists/ duplicate code", lp, `{"code":"dl1","name":"n"}`),
		post("POST stock-lists/ remote_id 'x'", lp, `{"code":"dl3","name":"n","remote_id":"x"}`),
		post("POST stock-lists/ remote_id out of range", lp, `{"code":"dl3","name":"n","remote_id":-2147483649}`),
		with(post("POST stock-lists/ form with empty values", lp, "code=dl4&name=F&remote_id=&stock_list_rule="),
			func(s *diffStep) { s.ctype = formCT }),
		post("POST stock-list-rules/ rule a string", rp, `{"name":"r","rule_type":"sql","rule":"x"}`),
		post("POST stock-list-rules/ without rule", rp, `{"name":"r","rule_type":"sql"}`),
		post("POST stock-list-rules/ without rule_type", rp, `{"name":"r"}`),
		with(post("POST stock-list-rules/ form with JSON", rp, `name=R&rule_type=sql&rule={"providers":["p"]}`),
			func(s *diffStep) { s.ctype = formCT }),
		with(post("POST stock-list-rules/ form with bad JSON", rp, `name=R&rule_type=sql&rule={oops`),
			func(s *diffStep) { s.ctype = formCT }),
		with(post("POST stock-list-rules/ form with an empty rule", rp, `name=R&rule_type=sql&rule=`),
			func(s *diffStep) { s.ctype = formCT }),
		with(post("POST stock-list-rules/ multipart with a file as rule", rp, "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nR\r\n"+
			"--B\r\nContent-Disposition: form-data; name=\"rule_type\"\r\n\r\nsql\r\n"+
			"--B\r\nContent-Disposition: form-data; name=\"rule\"; filename=\"rule.json\"\r\n\r\n{}\r\n--B--\r\n"),
			func(s *diffStep) { s.ctype = "multipart/form-data; boundary=B" }),

		// Expire-token, last: it ends the key.
		post("expire-token {}", "/api/v1/expire-token/", `{}`),
		post("expire-token an unknown user", "/api/v1/expire-token/", `{"username":"nobody"}`),
		with(post("expire-token without a key", "/api/v1/expire-token/", `{"username":"test"}`), func(s *diffStep) { s.noAuth = true }),
		post("expire-token test", "/api/v1/expire-token/", `{"username":"test"}`),
		get("GET with the expired key", pp),
		with(login("login after expire-token: a new key", ok), func(s *diffStep) { s.save = "key" }),
		get("GET with the new key", pp+"?limit=1"),
	)
	return s
}
