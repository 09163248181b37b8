// Package whippywaretest is a stateful, in-memory fake of the Whippy Ware REST API, to run
// unit tests on instead of the live service.
//
// It answers like the service: the same paths under /api/v1/ (with or without the trailing
// slash), the same JSON field names and types (those of the documented examples, which
// Fixture returns), and the error bodies of Django REST framework, which the service runs on.
// It is independent of the SDK: its record types are its own wire shapes.
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
// # Authentication
//
// POST /api/v1/auth/login/ with {"username", "password"} answers {"key": "<40 hex digits>"};
// every login issues a new key and earlier keys stay valid. Every other path wants
// "Authorization: Token <key>": without it 401 "Authentication credentials were not
// provided.", with an unknown, withdrawn or expired key 401 "Invalid token.", both with
// WWW-Authenticate: Token. POST /api/v1/expire-token/ with {"username"} withdraws all that
// user's keys (204). Users come from WithUser (default DefaultUsername / DefaultPassword);
// WithKeyLifetime makes keys expire; Server.ExpireTokens withdraws every key.
//
// # Resources
//
// providers/, stock-locations/, stock-list-rules/, stock-lists/ and stocks/ each take GET
// (list) and POST (create, 201) on the collection and GET, PATCH (200) and DELETE (204) on
// /{id}/; another method answers 405. Ids are integers from 1 per resource, never reused.
// Creates and updates are validated with DRF's messages, all field errors in one 400; PATCH
// validates only the fields it sends; unknown and read-only fields are ignored.
//
// Relations are checked: a location's provider must exist; a stock's provider (a code) must
// exist and its location must be one of that provider's; a stock list's rule must exist.
// A stock's location may be sent as an id (a number) or a code (a string; a string that is no
// code but an id is taken as that id), and is answered as the location's code, a string, as
// in the documented example. Renaming a provider's or location's code carries into its stocks.
//
// Deleting a record others still use is refused with 400 and a body in DRF's list form:
// a provider with stock locations (["Cannot delete provider: it still has stock
// locations."]), a stock location with stocks, a stock list rule used by a stock list.
// Moving a location that has stocks to another provider is refused likewise (a field error).
//
// Lists are paginated by page (from 1) and limit (default WithPageSize, clamped to
// WithMaxPageSize) in the envelope {"count", "next", "previous", "results"}, ordered by id;
// next and previous are absolute URLs built from the request's host that keep every other
// parameter. A page past the end answers 404 "Invalid page.". Lists filter on exact values:
// providers by code, name, is_active; stock locations by code, name, is_active, provider
// (an id); stock list rules by name, rule_type, is_active; stock lists by code, name,
// is_active; stocks by sku, provider (a code), location (a code or an id), stock_type,
// is_active. Unknown parameters are ignored.
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
// Add* methods seed records without HTTP and the plural methods (Providers, Stocks, ...) read
// them back. FailNext and SetFaultFunc inject faults: statuses with Retry-After, HTML bodies,
// latency, and dropped connections before or after the request took effect. Requests and
// RequestCount read the request log. Reset starts over.
package whippywaretest
