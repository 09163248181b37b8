// Package whippywaretest is a stateful, in-memory fake of the Whippy Ware REST API, to run
// unit tests on instead of the live service.
//
// It answers as the service's stack does: Django REST framework (DRF) ModelViewSets with
// rest_framework.authtoken, behind Django's CommonMiddleware. Paths, JSON field names and
// types, key order and error texts are those of the documented examples (which Fixture
// returns) and of DRF 3.14 / Django 3.2, so that a client's bug fails on the fake the way it
// would fail in production. It is independent of the SDK: its record types are its own wire
// shapes.
//
//	srv := whippywaretest.NewTestServer(t, whippywaretest.WithFixtures())
//	client := srv.Client() // a ready SDK client, logged in as the default user
//
// # Server
//
// NewServer listens on a loopback port (127.0.0.1). WithoutListener makes a server with no
// listener: Server.HTTPClient then calls the handler in process, and Server.URL is
// InProcessURL. Server.Handler serves the fake on a listener of your own.
//
// # What it answers like DRF and Django
//
// Routing: every path ends in "/". A path without its slash that would match with one gets
// CommonMiddleware's 301 to it (the query kept), for every method, before any view runs, so a
// POST there stores nothing; any other unknown path gets Django's HTML 404 page. An unhandled
// error is Django's HTML "Server Error (500)" page.
//
// Views: every answer of a view carries Allow (the view's methods) and, but the login's
// (JSON is its only renderer), Vary: Accept. An
// Accept header that neither JSON nor text/html satisfies is 406. OPTIONS answers DRF's
// SimpleMetadata (field types, required, read-only, labels, lengths, ranges). Collections take
// GET, HEAD, POST (201); details GET, HEAD, PUT (a full update: every required field), PATCH
// (a partial one), DELETE (204); another method is 405.
//
// Bodies: JSON, form-encoded and multipart bodies are read, forms by DRF's HTML rules (the
// last value of a repeated field; a boolean left out is false; an empty value is null for a
// nullable field). No body is empty data; a body with no Content-Type, or one no parser takes,
// is 415 `Unsupported media type "..." in request.`; malformed JSON is 400 "JSON parse
// error - ..." (the text after the dash is Go's, not Python's).
//
// Fields: strings are trimmed, may not be blank, and have a max_length; integers are checked
// against Django's IntegerField range (-2147483648 to 2147483647, PostgreSQL's); a stock's
// period is a date, YYYY-MM-DD, a timestamp refused; booleans take DRF's words. All errors of
// a body come in one 400, keys in the serializer's field order. Unknown and read-only fields
// are ignored.
//
// Authentication: POST /api/v1/auth/login/ with {"username", "password"} answers
// {"key": "<40 hex digits>"}. A user has one key (authtoken's get_or_create): every login
// returns it until POST /api/v1/expire-token/ {"username"} deletes it (204); the password is
// not trimmed. Every other path wants "Authorization: Token <key>"; authentication runs before
// every view, the login included, so a dead key is 401 "Invalid token." even there. Without a
// header (or with another scheme): 401 "Authentication credentials were not provided.", with
// WWW-Authenticate: Token. Users come from WithUser (default DefaultUsername /
// DefaultPassword); WithKeyLifetime makes keys expire; Server.ExpireTokens deletes every key.
//
// Lists: page-number pagination, ?page=N (or "last") and ?limit=M (default WithPageSize, 20;
// capped at WithMaxPageSize, 1000; a limit that is not a positive integer means the default),
// the last value of a repeated parameter counting. The envelope is {"count", "next",
// "previous", "results"}, ordered by id; next and previous are absolute URLs built from the
// request's host that keep every other parameter. A page past the end, 0, or not a number is
// 404 "Invalid page.". Lists filter on exact values: providers by code, name, is_active; stock
// locations by code, name, is_active, provider (an id; an unknown one is 400); stock list
// rules by name, rule_type, is_active; stock lists by code, name, is_active; stocks by sku,
// provider (a code), location (a code), stock_type, is_active. Unknown parameters are ignored.
//
// # Assumptions
//
// Where the reference leaves a choice open, the fake chooses; where a user could need the
// other choice, an option gives it.
//
//   - Lengths: names, SKUs, stock types, unit types and rule types hold at most 255
//     characters; provider, stock location and stock list codes at most 128.
//   - A stock names its provider and its location by code (SlugRelatedField), as the
//     documented stock does: a number in location is the code it spells, so 2 means code "2",
//     never id 2. WithStockLocationByID makes location an id (PrimaryKeyRelatedField) in
//     bodies, answers and the filter.
//   - The model is on PostgreSQL: an integer out of the 32-bit range is refused (SQLite would
//     store it).
//   - The server runs under gunicorn or uWSGI: a body without Content-Type is reported as
//     media type "" (Django's runserver reports "text/plain").
//   - page= (empty) is 404, as in DRF 3.14 (3.15 reads it as page 1).
//   - There is no browsable API: Accept: text/html is answered with JSON. Format suffixes
//     (.json) and Django's security headers (X-Frame-Options and the like) are not served.
//   - A body is at most 1 MiB; a larger one is 413 {"detail": "Request body is too large."}.
//   - The service's own rules, which the fake keeps: stock and reserved_stock are not
//     negative; a stock's location belongs to its provider; a stock list rule's rule is a JSON
//     object; expire-token for an unknown user is 400 {"username": ["User not found."]}; any
//     valid key may expire any user's.
//   - Deleting a record others still use is refused with 400 in DRF's list form: a provider
//     with stock locations (["Cannot delete provider: it still has stock locations."]), a
//     stock location with stocks, a stock list rule used by a stock list; moving a location
//     that has stocks to another provider is refused likewise. (A stock ModelViewSet with
//     on_delete=PROTECT would answer Django's HTML 500.) WithCascadeDelete deletes the
//     dependent records instead, as on_delete=CASCADE does.
//   - Renaming a provider's or location's code carries into its stocks, as a foreign key does.
//   - Not modelled, each rare for a client and each answered by the fake as noted: a
//     charset other than UTF-8 on a body (read as UTF-8; Django reads a form body that is
//     not UTF-8 as Latin-1); a rule's JSON is stored and answered as sent (DRF answers
//     Python's rendering of it: 1.10 as 1.1, a repeated key once); a 204 carries no
//     Content-Length (net/http does not send one); multipart bodies follow Go's reader
//     (one without its closing boundary is no data; Django keeps its parts); an injected
//     fault's JSON is not indented for an Accept asking indent=N.
//
// # Fixtures
//
// WithFixtures seeds the documented example records with their ids and timestamps: provider 1
// (provider_company), stock locations 1 ("110") and 2 ("112"), stock list rule 1, stock lists 1
// and 2, and stock 2 (SKU 555AB13004562130 at location "110" of provider "shop_provider"). The
// documented records disagree (the stock's provider is not the documented provider that owns
// location "110"), so the fake adds provider 2, "shop_provider", and makes it the owner of
// location "110"; every other field is as documented.
//
// # Test controls
//
// Add* methods seed records without HTTP, validated as a POST and active as a POST without
// is_active stores them (Inactive for an inactive one); the plural methods (Providers,
// Stocks, ...) read them back. FailNext and SetFaultFunc inject faults: statuses with
// Retry-After, HTML pages, latency, and dropped connections before or after the request took
// effect. WithThrottle and WithWriteThrottle throttle each user's requests (or writes) as
// DRF's UserRateThrottle does: 429 with Retry-After past a rate such as "50/s". Requests and
// RequestCount read the request log; WithRequestLogLimit and
// WithRequestLogRecordSize bound it. Reset starts over. cmd/whippyware-fake serves the same
// controls over HTTP for tests in other languages.
package whippywaretest
