package whippywaretest

import "time"

// Option configures a Server.
type Option func(*config)

// WithUser adds a user who can log in. The first user given is the one Client logs in as.
// Without any, the server has the single user DefaultUsername / DefaultPassword.
func WithUser(username, password string) Option {
	return func(c *config) {
		if c.username == "" {
			c.username = username
		}
		c.users[username] = password
	}
}

// WithPageSize sets the page size of a list sent without limit (default 20).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithMaxPageSize sets the largest limit a list honours; a larger one is clamped (default 1000).
func WithMaxPageSize(n int) Option { return func(c *config) { c.maxPageSize = n } }

// WithKeyLifetime makes login keys expire that long after login (default 0: never). An expired
// key answers 401 "Invalid token.", like a withdrawn one.
func WithKeyLifetime(d time.Duration) Option { return func(c *config) { c.keyLifetime = d } }

// WithFixtures seeds the documented example records (see the package documentation), also
// again after Reset.
func WithFixtures() Option { return func(c *config) { c.fixtures = true } }

// WithClock sets the clock for timestamps and key lifetimes (default time.Now), for
// deterministic created_date and modified_date values.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithoutListener runs the server with no listener: Server.HTTPClient calls the handler in
// process through an http.RoundTripper, and URL is InProcessURL.
func WithoutListener() Option { return func(c *config) { c.noSocket = true } }

// WithRequestLogLimit keeps only the newest n requests in the request log that Requests and
// RequestCount read (default 0: every request), so that a long-running server's memory stays
// bounded; cmd/whippyware-fake keeps 10,000. With WithRequestLogRecordSize the log then
// retains at most n × 2 × size bytes of bodies and header fields.
func WithRequestLogLimit(n int) Option { return func(c *config) { c.logLimit = n } }

// WithRequestLogRecordSize makes each request log record keep at most size bytes of the
// request's body and at most size bytes of its header fields (names and values); what is cut
// sets RequestRecord.Truncated. The default, 1 MiB, keeps every body the server accepts;
// cmd/whippyware-fake keeps 4 KiB.
func WithRequestLogRecordSize(size int) Option { return func(c *config) { c.recordSize = size } }

// WithCascadeDelete makes deleting a record also delete the records that use it, as a model
// whose foreign keys are on_delete=CASCADE does: a provider takes its stock locations and
// stocks, a stock location its stocks, a stock list rule the stock lists that use it. Without
// it such a delete is refused (400, see the package documentation).
func WithCascadeDelete() Option { return func(c *config) { c.cascade = true } }

// WithStockLocationByID makes a stock name its location by id, as a serializer with a
// PrimaryKeyRelatedField would: request bodies send the id (a number, or a string of digits),
// answers carry it as a number, and the location filter of the stock list takes an id. The
// default names it by code, as the documented example does.
func WithStockLocationByID() Option { return func(c *config) { c.locationByID = true } }
