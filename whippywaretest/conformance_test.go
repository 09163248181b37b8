package whippywaretest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wt "github.com/whippyware-go/whippyware/whippywaretest"
)

// exchange is one request to a fresh server holding the documented fixtures (logged in as the
// default user, whose key "{key}" stands for in headers and bodies) and the answer Django REST
// framework 3.14 and Django 3.2 give to it, byte for byte. Each row names the issue item it
// pins and where in the framework's source the answer comes from, so that a later change
// cannot quietly loosen the fake.
type exchange struct {
	item         string // "#1 django/middleware/common.py: ..."
	opts         []wt.Option
	fault        *wt.Fault
	method, path string
	header       map[string]string
	body         string
	status       int
	wantHeader   map[string]string // "" means the header is absent
	want         string            // the exact body
	check        func(t *testing.T, srv *wt.Server)
	// setup runs before the request; chunked sends the body without a Content-Length.
	setup   func(srv *wt.Server)
	chunked bool
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
	// now is the fixed clock of conformance servers, as the service prints it.
	now = "2024-01-02T06:04:05.123456+03:00"

	stock2 = `{"id":2,"created_date":"2023-05-10T13:37:18.209869+03:00","modified_date":"2023-05-10T13:37:18.210018+03:00",` +
		`"period":null,"stock_type":"standard","unit_type":"qty","provider":"shop_provider","location":"110","stock":5,` +
		`"reserved_stock":0,"is_active":true,"sku":"555AB13004562130"}`
	provider1 = `{"id":1,"created_date":"2023-05-10T10:08:25.050666+03:00","modified_date":"2023-05-10T10:08:25.058711+03:00",` +
		`"is_active":true,"name":"Provider","code":"provider_company","should_add_reservations":false}`
	provider2 = `{"id":2,"created_date":"2023-05-10T10:09:12.481203+03:00","modified_date":"2023-05-10T10:09:12.481203+03:00",` +
		`"is_active":true,"name":"Shop Provider","code":"shop_provider","should_add_reservations":false}`
	djangoNotFound = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n" +
		"  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
	djangoServerError = "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n" +
		"<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n"
	allowList   = "GET, POST, HEAD, OPTIONS"
	allowDetail = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
)

// created is a new record's head as a conformance server stamps it.
func created(id string) string {
	return `{"id":` + id + `,"created_date":"` + now + `","modified_date":"` + now + `",`
}

func authJSON() map[string]string {
	return map[string]string{"Authorization": "Token {key}", "Content-Type": jsonCT}
}

func auth() map[string]string { return map[string]string{"Authorization": "Token {key}"} }

func withAuth(h map[string]string) map[string]string {
	h["Authorization"] = "Token {key}"
	return h
}

func providerCount(n int) func(t *testing.T, srv *wt.Server) {
	return func(t *testing.T, srv *wt.Server) { assert.Len(t, srv.Providers(), n, "providers stored") }
}

var conformance = []exchange{
	// #1 Trailing slash: CommonMiddleware.process_request redirects (should_redirect_with_slash,
	// get_full_path_with_slash; RuntimeError only under DEBUG) before any view runs.
	{item: "#1 common.py APPEND_SLASH, GET", method: "GET", path: "/api/v1/providers", header: auth(),
		status: 301, wantHeader: map[string]string{"Location": "/api/v1/providers/", "Content-Type": "text/html; charset=utf-8"}},
	{item: "#1 common.py APPEND_SLASH keeps the query", method: "GET", path: "/api/v1/providers?page=2&limit=1",
		status: 301, wantHeader: map[string]string{"Location": "/api/v1/providers/?page=2&limit=1", "WWW-Authenticate": ""}},
	{item: "#1 common.py APPEND_SLASH, HEAD: HttpResponsePermanentRedirect is empty, CommonMiddleware gives its length",
		method: "HEAD", path: "/api/v1/stocks/2", header: auth(),
		status: 301, wantHeader: map[string]string{"Location": "/api/v1/stocks/2/", "Content-Length": "0"}},
	{item: "#1 common.py APPEND_SLASH, POST (DEBUG off): nothing stored", method: "POST", path: "/api/v1/providers",
		header: authJSON(), body: `{"name":"n","code":"noslash"}`, status: 301,
		wantHeader: map[string]string{"Location": "/api/v1/providers/"}, check: providerCount(2)},
	{item: "#1 common.py APPEND_SLASH, DELETE: nothing deleted", method: "DELETE", path: "/api/v1/stocks/2",
		header: auth(), status: 301, wantHeader: map[string]string{"Location": "/api/v1/stocks/2/"},
		check: func(t *testing.T, srv *wt.Server) { assert.Len(t, srv.Stocks(), 1) }},
	{item: "#1 common.py APPEND_SLASH, login", method: "POST", path: "/api/v1/auth/login", header: map[string]string{"Content-Type": jsonCT},
		body: `{"username":"test","password":"test_pass"}`, status: 301, wantHeader: map[string]string{"Location": "/api/v1/auth/login/"}},
	{item: "#1 no pattern even with a slash: views/defaults.py page_not_found", method: "GET", path: "/api/v1/nope",
		status: 404, wantHeader: map[string]string{"Content-Type": "text/html"}, want: djangoNotFound},

	// #2 Lengths and ranges: ModelSerializer's build_standard_field passes the model's
	// max_length and the IntegerField range; fields.py CharField and IntegerField messages.
	{item: "#2 fields.py CharField max_length", method: "POST", path: "/api/v1/providers/", header: authJSON(),
		body: `{"name":"` + strings.Repeat("x", 256) + `","code":"` + strings.Repeat("c", 129) + `"}`, status: 400,
		want:  `{"name":["Ensure this field has no more than 255 characters."],"code":["Ensure this field has no more than 128 characters."]}`,
		check: providerCount(2)},
	{item: "#2 max_length counts characters, not bytes", method: "POST", path: "/api/v1/providers/", header: authJSON(),
		body: `{"name":"` + strings.Repeat("ş", 255) + `","code":"long"}`, status: 201, check: providerCount(3)},
	{item: "#2 fields.py CharField blank (trimmed first) and null", method: "POST", path: "/api/v1/providers/", header: authJSON(),
		body: `{"name":"  ","code":null}`, status: 400,
		want: `{"name":["This field may not be blank."],"code":["This field may not be null."]}`},
	{item: "#2 fields.py IntegerField max_value from Django's IntegerField range", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"S","provider":"shop_provider","location":"110","stock":2147483648,"reserved_stock":"x"}`,
		status: 400, want: `{"stock":["Ensure this value is less than or equal to 2147483647."],"reserved_stock":["A valid integer is required."]}`},
	{item: "#2 fields.py IntegerField min_value", method: "POST", path: "/api/v1/stock-lists/", header: authJSON(),
		body: `{"code":"c","name":"n","remote_id":-2147483649}`, status: 400,
		want: `{"remote_id":["Ensure this value is greater than or equal to -2147483648."]}`},
	{item: "#2 fields.py CharField trim_whitespace: str.strip() also takes U+001C to U+001F and U+3000",
		method: "POST", path: "/api/v1/providers/", header: authJSON(), body: `{"name":"\u3000n\u001f","code":"c5\u001c"}`,
		status: 201, want: created("3") + `"is_active":true,"name":"n","code":"c5","should_add_reservations":false}`},
	{item: "#2 fields.py ProhibitNullCharactersValidator", method: "POST", path: "/api/v1/providers/", header: authJSON(),
		body: `{"name":"a\u0000b","code":"nul"}`, status: 400, want: `{"name":["Null characters are not allowed."]}`},

	// #3 Content types: request.py _parse (no parser for the media type: UnsupportedMediaType;
	// no body: empty data), parsers.py JSONParser, FormParser, MultiPartParser.
	{item: "#3 request.py: a body without Content-Type", method: "PATCH", path: "/api/v1/providers/1/",
		header: auth(), body: `{"name":"x"}`, status: 415, want: `{"detail":"Unsupported media type \"\" in request."}`,
		check: func(t *testing.T, srv *wt.Server) { assert.Equal(t, "Provider", srv.Providers()[0].Name) }},
	{item: "#3 request.py: text/plain", method: "POST", path: "/api/v1/providers/",
		header: withAuth(map[string]string{"Content-Type": "text/plain; charset=utf-8"}), body: `{}`, status: 415,
		want: `{"detail":"Unsupported media type \"text/plain; charset=utf-8\" in request."}`},
	{item: "#3 request.py: no body is empty data", method: "POST", path: "/api/v1/providers/", header: auth(),
		status: 400, want: `{"name":["This field is required."],"code":["This field is required."]}`},
	{item: "#3 parsers.py FormParser; fields.py BooleanField.default_empty_html is False", method: "POST",
		path: "/api/v1/providers/", header: withAuth(map[string]string{"Content-Type": formCT}),
		body: "name=Form&code=f1&name=Last", status: 201,
		want: created("3") + `"is_active":false,"name":"Last","code":"f1","should_add_reservations":false}`},
	{item: "#3 parsers.py MultiPartParser", method: "POST", path: "/api/v1/stock-locations/",
		header: withAuth(map[string]string{"Content-Type": "multipart/form-data; boundary=B"}),
		body: "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nM\r\n--B\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nm1\r\n" +
			"--B\r\nContent-Disposition: form-data; name=\"provider\"\r\n\r\n2\r\n--B--\r\n",
		status: 201, want: created("3") + `"is_active":false,"name":"M","code":"m1","provider":2}`},
	{item: "#3 authtoken ObtainAuthToken takes forms", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": formCT}, body: "username=test&password=test_pass", status: 200,
		want: `{"key":"{key}"}`, wantHeader: map[string]string{"Allow": "POST, OPTIONS", "Vary": ""}},
	{item: "#3 serializers.py Serializer.errors: a null body", method: "POST", path: "/api/v1/providers/",
		header: authJSON(), body: `null`, status: 400, want: `{"non_field_errors":["No data provided"]}`},
	{item: "#3 serializers.py to_internal_value: not a dict", method: "POST", path: "/api/v1/providers/",
		header: authJSON(), body: `[{}]`, status: 400,
		want: `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},

	{item: "#3 parsers.py JSONParser: a body that is not UTF-8 is a parse error (the text after the dash is the fake's)",
		method: "POST", path: "/api/v1/providers/", header: authJSON(), body: "{\"name\":\"\xff\",\"code\":\"c\"}", status: 400,
		want: `{"detail":"JSON parse error - the body is not valid UTF-8"}`, check: providerCount(2)},

	{item: "#10 negotiation.py: the Accept type's case does not matter (parse_header lower-cases it)", method: "GET",
		path: "/api/v1/stocks/2/", header: map[string]string{"Authorization": "Token {key}", "Accept": "Application/JSON"},
		status: 200, want: stock2},
	{item: "#10 response.py rendered_content: the Content-Type is the renderer's, whatever the range",
		method: "GET", path: "/api/v1/stocks/2/", header: map[string]string{"Authorization": "Token {key}", "Accept": "*/*;q=0.8"},
		status: 200, want: stock2},

	{item: "#5 views.py APIView.dispatch: the handler is request.method.lower()'s", method: "patch", path: "/api/v1/stocks/2/",
		header: authJSON(), body: `{"stock":7}`, status: 200,
		check: func(t *testing.T, srv *wt.Server) { assert.EqualValues(t, 7, srv.Stocks()[0].Stock) }},
	{item: "#5 views.py http_method_not_allowed quotes request.method, which Django upper-cases", method: "patch",
		path: "/api/v1/stocks/", header: authJSON(), body: `{}`, status: 405, want: `{"detail":"Method \"PATCH\" not allowed."}`},

	{item: "#3 multipartparser.py: a body with no part is no data", method: "POST", path: "/api/v1/providers/",
		header: map[string]string{"Authorization": "Token {key}", "Content-Type": "multipart/form-data; boundary=XX"},
		body:   "garbage", status: 400, want: `{"name":["This field is required."],"code":["This field is required."]}`},
	{item: "#3 parsers.py MultiPartParser: no boundary is a ParseError (the text after the dash is Go's)", method: "POST",
		path: "/api/v1/providers/", header: map[string]string{"Authorization": "Token {key}", "Content-Type": "multipart/form-data"},
		body: "garbage", status: 400, want: `{"detail":"Multipart form parse error - no multipart boundary param in Content-Type"}`},

	// #4 Answers outside DRF: django/views/defaults.py's pages.
	{item: "#4 defaults.py page_not_found", method: "GET", path: "/api/v1/stock-providers/", header: auth(),
		status: 404, wantHeader: map[string]string{"Content-Type": "text/html", "Allow": ""}, want: djangoNotFound},
	{item: "#4 defaults.py page_not_found, outside the API", method: "GET", path: "/", status: 404, want: djangoNotFound},
	{item: "#4 defaults.py server_error", fault: &wt.Fault{Status: 500}, method: "GET", path: "/api/v1/stocks/",
		header: auth(), status: 500, wantHeader: map[string]string{"Content-Type": "text/html"}, want: djangoServerError},
	{item: "#4 an injected 404 is DRF's: exceptions.py NotFound.default_detail", fault: &wt.Fault{Status: 404},
		method: "GET", path: "/api/v1/stocks/2/", header: auth(), status: 404, want: `{"detail":"Not found."}`,
		wantHeader: map[string]string{"Allow": allowDetail, "Vary": "Accept"}},
	{item: "#4 an injected 400 is DRF's: exceptions.py ParseError.default_detail", fault: &wt.Fault{Status: 400},
		method: "GET", path: "/api/v1/stocks/", header: auth(), status: 400, want: `{"detail":"Malformed request."}`},
	{item: "#4 an injected 401 is authtoken's: authentication.py TokenAuthentication.authenticate_credentials",
		fault: &wt.Fault{Status: 401}, method: "GET", path: "/api/v1/stocks/", header: auth(), status: 401,
		want:       `{"detail":"Invalid token."}`,
		wantHeader: map[string]string{"WWW-Authenticate": "Token", "Allow": allowList, "Vary": "Accept"}},
	{item: "#4 an injected 403 is DRF's: exceptions.py PermissionDenied.default_detail", fault: &wt.Fault{Status: 403},
		method: "GET", path: "/api/v1/stocks/", header: auth(), status: 403,
		want: `{"detail":"You do not have permission to perform this action."}`},
	{item: "#4 an injected 405 names the method: exceptions.py MethodNotAllowed", fault: &wt.Fault{Status: 405},
		method: "DELETE", path: "/api/v1/stocks/2/", header: auth(), status: 405, want: `{"detail":"Method \"DELETE\" not allowed."}`},
	{item: "#4 generics.py get_object_or_404: the pk lookup casts with int()", method: "GET", path: "/api/v1/stocks/%202/",
		header: auth(), status: 200, want: stock2},
	{item: "#4 a DRF view's 404 stays JSON (generics.py get_object_or_404)", method: "GET", path: "/api/v1/stocks/abc/",
		header: auth(), status: 404, want: `{"detail":"Not found."}`, wantHeader: map[string]string{"Allow": allowDetail}},

	// #5 Methods: viewsets.py ModelViewSet (UpdateModelMixin.update is PUT, partial_update
	// PATCH), views.py APIView (default_response_headers: Allow, Vary; http_method_not_allowed),
	// metadata.py SimpleMetadata.
	{item: "#5 mixins.py update: PUT is a full update", method: "PUT", path: "/api/v1/providers/1/", header: authJSON(),
		body: `{"name":"Put","code":"put"}`, status: 200,
		want: `{"id":1,"created_date":"2023-05-10T10:08:25.050666+03:00","modified_date":"` + now +
			`","is_active":true,"name":"Put","code":"put","should_add_reservations":false}`},
	{item: "#5 mixins.py update: PUT wants every required field", method: "PUT", path: "/api/v1/providers/1/",
		header: authJSON(), body: `{"name":"Put"}`, status: 400, want: `{"code":["This field is required."]}`},
	{item: "#5 views.py http_method_not_allowed, Allow", method: "DELETE", path: "/api/v1/providers/", header: auth(),
		status: 405, want: `{"detail":"Method \"DELETE\" not allowed."}`,
		wantHeader: map[string]string{"Allow": allowList, "Vary": "Accept"}},
	{item: "#5 views.py default_response_headers on every answer", method: "GET", path: "/api/v1/providers/?limit=1",
		header: auth(), status: 200, wantHeader: map[string]string{"Allow": allowList, "Vary": "Accept"},
		want: `{"count":2,"next":"{base}/api/v1/providers/?limit=1&page=2","previous":null,"results":[` + provider1 + `]}`},
	{item: "#5 views.py: authentication before OPTIONS", method: "OPTIONS", path: "/api/v1/providers/", status: 401,
		wantHeader: map[string]string{"Allow": allowList, "WWW-Authenticate": "Token"},
		want:       `{"detail":"Authentication credentials were not provided."}`},
	{item: "#5 metadata.py SimpleMetadata, list", method: "OPTIONS", path: "/api/v1/providers/", header: auth(), status: 200,
		want: `{"name":"Provider List","description":"","renders":["application/json","text/html"],` +
			`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{` +
			`"id":{"type":"integer","required":false,"read_only":true,"label":"ID"},` +
			`"created_date":{"type":"datetime","required":false,"read_only":true,"label":"Created date"},` +
			`"modified_date":{"type":"datetime","required":false,"read_only":true,"label":"Modified date"},` +
			`"is_active":{"type":"boolean","required":false,"read_only":false,"label":"Is active"},` +
			`"name":{"type":"string","required":true,"read_only":false,"label":"Name","max_length":255},` +
			`"code":{"type":"string","required":true,"read_only":false,"label":"Code","max_length":128},` +
			`"should_add_reservations":{"type":"boolean","required":false,"read_only":false,"label":"Should add reservations"}}}}`},
	{item: "#5 metadata.py: no PUT action when get_object fails", method: "OPTIONS", path: "/api/v1/stocks/9/",
		header: auth(), status: 200, wantHeader: map[string]string{"Allow": allowDetail},
		want: `{"name":"Stock Instance","description":"","renders":["application/json","text/html"],` +
			`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`},
	{item: "#5 negotiation.py: no renderer for Accept, before authentication", method: "GET", path: "/api/v1/stocks/",
		header: map[string]string{"Accept": "application/xml"}, status: 406,
		want: `{"detail":"Could not satisfy the request Accept header."}`},

	// #6 Login: authtoken/views.py ObtainAuthToken (Token.objects.get_or_create),
	// authtoken/serializers.py (password trim_whitespace=False), authentication.py.
	{item: "#6 authtoken get_or_create: the same key again", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": jsonCT}, body: `{"username":" test ","password":"test_pass"}`,
		status: 200, want: `{"key":"{key}"}`},
	{item: "#6 authentication.py runs before the login view", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": jsonCT, "Authorization": "Token deadbeef"},
		body:   `{"username":"test","password":"test_pass"}`, status: 401,
		wantHeader: map[string]string{"WWW-Authenticate": "Token"}, want: `{"detail":"Invalid token."}`},
	{item: "#6 authentication.py: another scheme is anonymous", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": jsonCT, "Authorization": "Bearer x"},
		body:   `{"username":"test","password":"test_pass"}`, status: 200, want: `{"key":"{key}"}`},
	{item: "#6 authtoken serializers.py: the password is not trimmed", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": jsonCT}, body: `{"username":"test","password":" test_pass "}`,
		status: 400, want: `{"non_field_errors":["Unable to log in with provided credentials."]}`},
	{item: "#6 authtoken serializers.py: field order of errors", method: "POST", path: "/api/v1/auth/login/",
		header: map[string]string{"Content-Type": jsonCT}, body: `{}`, status: 400,
		want: `{"username":["This field is required."],"password":["This field is required."]}`},
	{item: "#6 authentication.py: invalid characters", method: "GET", path: "/api/v1/stocks/",
		header: map[string]string{"Authorization": "Token \xff"}, status: 401,
		want: `{"detail":"Invalid token header. Token string should not contain invalid characters."}`},

	// #7 Stock location: relations.py SlugRelatedField(slug_field="code") by default.
	{item: "#7 relations.py SlugRelatedField: a number is the code it spells", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"D3","provider":"provider_company","location":112,"stock":3}`, status: 201,
		want: created("3") + `"period":null,"stock_type":"standard","unit_type":"qty","provider":"provider_company",` +
			`"location":"112","stock":3,"reserved_stock":0,"is_active":true,"sku":"D3"}`},
	{item: "#7 relations.py SlugRelatedField does_not_exist: an id is no code", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"D2","provider":"provider_company","location":"2","stock":3}`, status: 400,
		want: `{"location":["Object with code=2 does not exist."]}`},
	{item: "#7 relations.py RelatedField.run_validation: \"\" is null", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"D2","provider":"","location":"110","stock":3}`, status: 400,
		want: `{"provider":["This field may not be null."]}`},
	{item: "#7 WithStockLocationByID: relations.py PrimaryKeyRelatedField", opts: []wt.Option{wt.WithStockLocationByID()},
		method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body: `{"sku":"D2","provider":"provider_company","location":"2","stock":3}`, status: 201,
		want: created("3") + `"period":null,"stock_type":"standard","unit_type":"qty","provider":"provider_company",` +
			`"location":2,"stock":3,"reserved_stock":0,"is_active":true,"sku":"D2"}`},
	{item: "#7 WithStockLocationByID: incorrect_type", opts: []wt.Option{wt.WithStockLocationByID()},
		method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body: `{"sku":"D2","provider":"provider_company","location":"112","stock":3}`, status: 400,
		want: `{"location":["Invalid pk \"112\" - object does not exist."]}`},
	{item: "#7 WithStockLocationByID: the filter takes an id (django-filter ModelChoiceFilter)",
		opts: []wt.Option{wt.WithStockLocationByID()}, method: "GET", path: "/api/v1/stocks/?location=1", header: auth(),
		status: 200, want: `{"count":1,"next":null,"previous":null,"results":[` + strings.Replace(stock2, `"location":"110"`, `"location":1`, 1) + `]}`},

	// #8 period: fields.py DateField with Django's parse_date.
	{item: "#8 fields.py DateField: a timestamp is refused", method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body:   `{"sku":"D5","provider":"provider_company","location":"112","stock":3,"period":"2024-05-10T00:00:00+03:00"}`,
		status: 400, want: `{"period":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}`},
	{item: "#8 fields.py DateField: a date that does not exist", method: "PATCH", path: "/api/v1/stocks/2/", header: authJSON(),
		body: `{"period":"2024-02-30"}`, status: 400,
		want: `{"period":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}`},
	{item: "#8 fields.py DateField.to_representation: isoformat", method: "PATCH", path: "/api/v1/stocks/2/",
		header: authJSON(), body: `{"period":"2024-5-1"}`, status: 200,
		want: strings.Replace(strings.Replace(stock2, `"period":null`, `"period":"2024-05-01"`, 1),
			`"modified_date":"2023-05-10T13:37:18.210018+03:00"`, `"modified_date":"`+now+`"`, 1)},

	// #9 Paging: pagination.py PageNumberPagination (last_page_strings, get_page_size,
	// _positive_int), Django's QueryDict.get (the last value).
	{item: "#9 pagination.py last_page_strings", method: "GET", path: "/api/v1/providers/?limit=1&page=last", header: auth(),
		status: 200, want: `{"count":2,"next":null,"previous":"{base}/api/v1/providers/?limit=1","results":[` + provider2 + `]}`},
	{item: "#9 QueryDict.get: the last page value", method: "GET", path: "/api/v1/providers/?page=1&page=2", header: auth(),
		status: 404, want: `{"detail":"Invalid page."}`},
	{item: "#9 pagination.py 3.14: an empty page is invalid", method: "GET", path: "/api/v1/providers/?page=", header: auth(),
		status: 404, want: `{"detail":"Invalid page."}`},
	{item: "#9 pagination.py _positive_int: limit 0 is the default size", method: "GET", path: "/api/v1/providers/?limit=0",
		header: auth(), status: 200, want: `{"count":2,"next":null,"previous":null,"results":[` + provider1 + "," + provider2 + `]}`},

	// #10 Wire details: renderers.py JSONRenderer (compact, no newline), the serializer's
	// field order for records and errors.
	{item: "#10 renderers.py JSONRenderer, fields in the fixture's order", method: "GET", path: "/api/v1/stocks/2/",
		header: auth(), status: 200, want: stock2},
	{item: "#10 serializers.py: error keys in field order", method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body: `{"sku":"","stock":"x","period":"x","location":"nope"}`, status: 400,
		want: `{"period":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],` +
			`"provider":["This field is required."],"location":["Object with code=nope does not exist."],` +
			`"stock":["A valid integer is required."],"sku":["This field may not be blank."]}`},
	{item: "#10 validators.py UniqueTogetherValidator", method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body: `{"sku":"555AB13004562130","provider":"shop_provider","location":"110","stock":1}`, status: 400,
		want: `{"non_field_errors":["The fields sku, provider, location, stock_type must make a unique set."]}`},

	// The five answers a second differential found clients meet, each checked on DRF 3.14.
	{item: "#16 generics.py get_object filters the queryset first: a detail that fails a filter is 404",
		method: "GET", path: "/api/v1/providers/1/?code=nope", header: auth(), status: 404, want: `{"detail":"Not found."}`},
	{item: "#16 get_object on PATCH: the filter keeps the record from changing", method: "PATCH",
		path: "/api/v1/providers/1/?code=nope", header: authJSON(), body: `{"name":"x"}`, status: 404,
		want:  `{"detail":"Not found."}`,
		check: func(t *testing.T, srv *wt.Server) { assert.Equal(t, "Provider", srv.Providers()[0].Name) }},
	{item: "#16 get_object on DELETE: nothing deleted", method: "DELETE", path: "/api/v1/stocks/2/?sku=other",
		header: auth(), status: 404, want: `{"detail":"Not found."}`,
		check: func(t *testing.T, srv *wt.Server) { assert.Len(t, srv.Stocks(), 1) }},
	{item: "#16 get_object: a filter value the FilterSet refuses is 400 on a detail route", method: "GET",
		path: "/api/v1/stock-locations/1/?provider=abc", header: auth(), status: 400,
		want: `{"provider":["Select a valid choice. That choice is not one of the available choices."]}`},
	{item: "#16 get_uniqueness_extra_kwargs: a PUT without stock_type stores its model default",
		setup: func(srv *wt.Server) {
			srv.AddStock(wt.Stock{SKU: "B", Provider: "shop_provider", Location: "110", StockType: "b2b", Stock: 1})
		},
		method: "PUT", path: "/api/v1/stocks/3/", header: authJSON(),
		body: `{"sku":"B","provider":"shop_provider","location":"110","stock":2}`, status: 200,
		want: created("3") + `"period":null,` +
			`"stock_type":"standard","unit_type":"qty","provider":"shop_provider","location":"110","stock":2,` +
			`"reserved_stock":0,"is_active":true,"sku":"B"}`},
	{item: "#16 get_uniqueness_extra_kwargs: a PUT without stock_type meets the unique set of the standard row",
		setup: func(srv *wt.Server) {
			srv.AddStock(wt.Stock{SKU: "555AB13004562130", Provider: "shop_provider", Location: "110", StockType: "b2b", Stock: 1})
		},
		method: "PUT", path: "/api/v1/stocks/3/", header: authJSON(),
		body: `{"sku":"555AB13004562130","provider":"shop_provider","location":"110","stock":2}`, status: 400,
		want: `{"non_field_errors":["The fields sku, provider, location, stock_type must make a unique set."]}`},
	{item: "#16 Django 3.2 WSGIRequest reads CONTENT_LENGTH bytes: a chunked login has no fields",
		method: "POST", path: "/api/v1/auth/login/", header: map[string]string{"Content-Type": jsonCT},
		body: `{"username":"test","password":"test_pass"}`, chunked: true, status: 400,
		want: `{"username":["This field is required."],"password":["This field is required."]}`},
	{item: "#16 a chunked PATCH changes nothing", method: "PATCH", path: "/api/v1/providers/1/", header: authJSON(),
		body: `{"name":"x"}`, chunked: true, status: 200,
		want: strings.Replace(provider1, "2023-05-10T10:08:25.058711+03:00", now, 1)},
	{item: "#16 PEP 3333: a repeated Authorization is one value joined by a comma, so it has spaces",
		method: "GET", path: "/api/v1/stocks/", header: map[string]string{"Authorization": "Token {key}\nToken {key}"},
		status: 401, want: `{"detail":"Invalid token header. Token string should not contain spaces."}`},
	{item: "#16 django-filter CharFilter: forms.CharField's ProhibitNullCharactersValidator", method: "GET",
		path: "/api/v1/providers/?code=a%00", header: auth(), status: 400, want: `{"code":["Null characters are not allowed."]}`},

	// Values as clients send them, each answered alike by the reference (reference_test.go).
	{item: "routers.py DefaultRouter's API root", method: "GET", path: "/api/v1/", header: auth(), status: 200,
		want: `{"providers":"{base}/api/v1/providers/","stock-locations":"{base}/api/v1/stock-locations/",` +
			`"stock-list-rules":"{base}/api/v1/stock-list-rules/","stock-lists":"{base}/api/v1/stock-lists/",` +
			`"stocks":"{base}/api/v1/stocks/"}`, wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
	{item: "fields.py BooleanField TRUE_VALUES and FALSE_VALUES, 1 and 0 too", method: "POST", path: "/api/v1/providers/",
		header: authJSON(), body: `{"name":"n","code":"b1","is_active":"no","should_add_reservations":1}`, status: 201,
		want: created("3") + `"is_active":false,"name":"n","code":"b1","should_add_reservations":true}`},
	{item: "fields.py BooleanField: anything else", method: "POST", path: "/api/v1/providers/", header: authJSON(),
		body: `{"name":"n","code":"b2","is_active":"maybe","should_add_reservations":2}`, status: 400,
		want: `{"is_active":["Must be a valid boolean."],"should_add_reservations":["Must be a valid boolean."]}`},
	{item: "fields.py IntegerField: \"7\" and 2.0 are integers, 1.5 and true are not", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"I1","provider":"provider_company","location":"112","stock":"7","reserved_stock":2.0}`,
		status: 201, want: created("3") + `"period":null,"stock_type":"standard","unit_type":"qty","provider":"provider_company",` +
			`"location":"112","stock":7,"reserved_stock":2,"is_active":true,"sku":"I1"}`},
	{item: "fields.py IntegerField: 1.5 and true are not integers", method: "POST", path: "/api/v1/stocks/", header: authJSON(),
		body: `{"sku":"I2","provider":"provider_company","location":"112","stock":true,"reserved_stock":1.5}`, status: 400,
		want: `{"stock":["A valid integer is required."],"reserved_stock":["A valid integer is required."]}`},
	{item: "relations.py PrimaryKeyRelatedField: a string of digits, and incorrect_type", method: "POST",
		path: "/api/v1/stock-lists/", header: authJSON(), body: `{"code":"k1","name":"n","stock_list_rule":"x"}`, status: 400,
		want: `{"stock_list_rule":["Incorrect type. Expected pk value, received str."]}`},
	{item: "relations.py SlugRelatedField: a boolean is looked up as str(), True", method: "POST", path: "/api/v1/stocks/",
		header: authJSON(), body: `{"sku":"I3","provider":true,"location":"112","stock":1}`, status: 400,
		want: `{"provider":["Object with code=True does not exist."]}`},

	// #12 Memory: the request log keeps at most the record size of a body, also of one refused
	// before it was read (authentication comes first).
	{item: "#12 the log keeps a bounded head of each body", opts: []wt.Option{wt.WithRequestLogRecordSize(8)},
		method: "POST", path: "/api/v1/providers/", header: map[string]string{"Content-Type": jsonCT},
		body: `{"name":"a long name","code":"c"}`, status: 401,
		check: func(t *testing.T, srv *wt.Server) {
			recs := srv.Requests()
			last := recs[len(recs)-1]
			assert.Equal(t, `{"name":`, string(last.Body))
			assert.True(t, last.Truncated)
		}},

	// #11 The fake's own rules, and the cascade option.
	{item: "#11 assumption: a provider with locations is not deleted", method: "DELETE", path: "/api/v1/providers/2/",
		header: auth(), status: 400, want: `["Cannot delete provider: it still has stock locations."]`, check: providerCount(2)},
	{item: "#11 WithCascadeDelete: on_delete=CASCADE", opts: []wt.Option{wt.WithCascadeDelete()}, method: "DELETE",
		path: "/api/v1/providers/2/", header: auth(), status: 204, wantHeader: map[string]string{"Content-Type": ""},
		check: func(t *testing.T, srv *wt.Server) {
			assert.Len(t, srv.Providers(), 1)
			assert.Len(t, srv.StockLocations(), 1, "location 110 went with its provider")
			assert.Empty(t, srv.Stocks(), "and its stock")
		}},
	{item: "#11 WithCascadeDelete: a rule takes its stock lists", opts: []wt.Option{wt.WithCascadeDelete()},
		method: "DELETE", path: "/api/v1/stock-list-rules/1/", header: auth(), status: 204,
		check: func(t *testing.T, srv *wt.Server) { assert.Empty(t, srv.StockLists()) }},
}

func TestConformanceWithDRF(t *testing.T) { runExchanges(t, conformance) }

// runExchanges sends each exchange to a fresh server and checks the answer.
func runExchanges(t *testing.T, exchanges []exchange) {
	for _, ex := range exchanges {
		t.Run(ex.item, func(t *testing.T) {
			clk := &clock{now: time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)}
			srv := wt.NewTestServer(t, append([]wt.Option{wt.WithoutListener(), wt.WithFixtures(), wt.WithClock(clk.Now)},
				ex.opts...)...)
			key := connect(t, srv).key
			if ex.fault != nil {
				srv.FailNext(1, *ex.fault)
			}
			if ex.setup != nil {
				ex.setup(srv)
			}
			fill := strings.NewReplacer("{key}", key, "{base}", srv.URL)
			var body io.Reader
			if ex.body != "" {
				body = strings.NewReader(ex.body)
				if ex.chunked {
					body = io.MultiReader(body) // a reader of unknown length: sent chunked
				}
			}
			req, err := http.NewRequest(ex.method, srv.URL+ex.path, body)
			require.NoError(t, err)
			for k, v := range ex.header {
				for value := range strings.SplitSeq(v, "\n") { // a header sent more than once
					req.Header.Add(k, fill.Replace(value))
				}
			}
			client := srv.HTTPClient()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			res, err := client.Do(req)
			require.NoError(t, err)
			raw, err := io.ReadAll(res.Body)
			res.Body.Close()
			require.NoError(t, err)

			assert.Equal(t, ex.status, res.StatusCode, "%s", raw)
			if ex.want != "" || ex.method == http.MethodHead || ex.status == 301 || ex.status == http.StatusNoContent {
				assert.Equal(t, fill.Replace(ex.want), string(raw))
			}
			if ex.want != "" && ex.want[0] != '\n' {
				assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
			}
			for k, v := range ex.wantHeader {
				assert.Equal(t, fill.Replace(v), res.Header.Get(k), "header %s", k)
			}
			if ex.check != nil {
				ex.check(t, srv)
			}
		})
	}
}
