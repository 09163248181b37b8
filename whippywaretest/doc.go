// Package whippywaretest is a stateful, in-memory fake of the Whippy Ware REST API, to run
// unit tests on instead of the live service.
//
// It answers as the service's stack does (Django REST framework 3.14 ModelViewSets with
// authtoken and django-filter, behind Django 3.2's CommonMiddleware) for what a Go SDK user,
// a curl script or a Python integration plausibly sends: status, Content-Type, the headers a
// client reads, the error's shape and the common messages. For exotic input the status and
// shape are right; the message may be the fake's own. The drf_*.go and django_*.go files hold
// the framework's rules, each with a reference. reference/ in the repository is a real DRF
// service on the same assumptions; a test (-tags reference, CONTRIBUTING.md) sends both the
// same requests and allows differences only where the table below says.
//
//	srv := whippywaretest.NewTestServer(t, whippywaretest.WithFixtures())
//	client := srv.Client() // a ready SDK client, logged in as the default user
//
// NewServer listens on a loopback port; WithoutListener makes a server reached in process by
// Server.HTTPClient; Server.Handler serves it on a listener of your own.
//
// # What is and is not modelled
//
//	Area            | Modelled as the service answers                      | Not modelled: what the fake does
//	----------------|------------------------------------------------------|-----------------------------------------
//	Routing         | paths end in "/": without it, CommonMiddleware's 301 | format suffixes (.json): 404
//	                | for every method, before any view (a POST stores     |
//	                | nothing); Django's HTML 404 and 500 pages            |
//	Views           | Allow and Vary: Accept on every answer; 405; OPTIONS | Django's security headers (X-Frame-Options
//	                | metadata (types, required, lengths, ranges)          | and the like) are not sent
//	Negotiation     | Accept naming no JSON or HTML type: 406              | Browsable API: text/html gets JSON;
//	                |                                                      | indent= and ?format= are ignored
//	Bodies          | JSON, form-encoded, multipart (DRF's HTML rules: the | JSON parse error text after the dash is
//	                | last value; an unticked checkbox is false; an empty  | Go's; a body not UTF-8 is refused whole
//	                | value is null or absent); no body is no data; a body | (DRF drops a character cut off at the
//	                | sent chunked (no Content-Length) is no body, as      | end); a charset other than UTF-8 is read
//	                | Django 3.2 reads it; 415 for no or another           | as UTF-8; multipart follows Go's reader;
//	                | Content-Type (media type "" as under gunicorn)       | a body over 1 MiB is 413
//	Fields          | str.strip() trimming (U+001C-U+001F too), blank,     | Python's int() of other scripts' digits
//	                | null, max_length in characters, NUL refused; integer | and "_"; lone surrogates (read as
//	                | as IntegerField reads it (5, "5", 5.0), within       | U+FFFD); a float as a text or a code is
//	                | PostgreSQL's IntegerField range; BooleanField's      | its JSON text (DRF: str(), 1e3 is 1000.0);
//	                | words; dates YYYY-M-D; unknown and read-only fields  | a list or an object as a code is "Invalid
//	                | ignored; errors in field order, all in one 400       | value." (DRF looks up its repr())
//	Relations       | a stock's provider and location by code              | -
//	                | (SlugRelatedField; 112 is code "112"); other         |
//	                | relations by id; "" is null; does-not-exist texts    |
//	Uniqueness      | unique codes; (sku, provider, location, stock_type)  | -
//	                | unique together; a PUT without stock_type stores     |
//	                | "standard" (its model default)                       |
//	Authentication  | authtoken: one key per user (every login returns it  | who may expire whose key: any valid key
//	                | until expire-token); the password is not trimmed;    | may expire any user's
//	                | authentication before every view, the login too; a   |
//	                | repeated Authorization is one joined value (401)     |
//	Lists           | page/limit (default WithPageSize 20, at most         | page= (empty) is 404 as in DRF 3.14
//	                | WithMaxPageSize 1000), "last", 404 "Invalid page.",  | (3.15: page 1)
//	                | next/previous from the request's host; filters on    |
//	                | exact values, stripped, NUL refused, an unknown      |
//	                | related id 400 (before a bad page's 404), errors in  |
//	                | the FilterSet's order; filters also apply to detail  |
//	                | routes (GET /providers/1/?code=nope is 404)          |
//	Rendering       | compact JSON, keys in the serializer's order, no     | a rule's JSON is answered as sent (DRF:
//	                | HTML escaping, Content-Length on every answer        | Python's reading of it); a 204 has no
//	                |                                                      | Content-Length
//	Service rules   | assumptions, the same in reference/: names, SKUs, types 255 characters, codes 128; stock and
//	                | reserved_stock not negative; a stock's location belongs to its provider; a rule is a JSON object;
//	                | expire-token for an unknown user is 400 "User not found."; deleting a record in use is 400 in
//	                | DRF's list form (a provider with locations, a location with stocks, a rule used by a stock
//	                | list), moving a location with stocks to another provider too (WithCascadeDelete deletes the
//	                | dependents instead); a renamed code carries into stocks
//	Faults          | FailNext: statuses with Retry-After, DRF's or Django's body for the status, nginx's 5xx page,
//	                | latency, connections dropped before or after the request took effect
//
// WithStockLocationByID makes a stock's location an id (PrimaryKeyRelatedField). WithUser sets
// the users (default DefaultUsername / DefaultPassword); WithKeyLifetime makes keys expire.
//
// # Fixtures
//
// WithFixtures seeds the documented example records with their ids and timestamps. They
// disagree (the documented stock's provider, "shop_provider", is not the documented provider
// that owns location "110"), so the fake adds provider 2, "shop_provider", as that owner.
//
// # Test controls
//
// Add* methods seed records without HTTP, validated as a POST and active as a POST without
// is_active stores them (Inactive for an inactive one); AddAll stores several all or none;
// the plural methods (Providers, Stocks, ...) read them back. FailNext and SetFaultFunc
// inject faults, PendingFaults lists and ClearFaults drops them. WithThrottle and
// WithWriteThrottle throttle each user's requests (or writes) as DRF's UserRateThrottle
// does: 429 with Retry-After past a rate such as "50/s". Requests and RequestCount read the
// request log; WithRequestLogLimit and WithRequestLogRecordSize bound it. Reset starts over.
// cmd/whippyware-fake serves the same controls over HTTP for tests in other languages.
package whippywaretest
