package whippywaretest

import (
	"fmt"

	"github.com/whippyware-go/whippyware"
)

// Client returns an SDK client of this server: its URL, the first user's credentials (see
// WithUser), HTTPClient, and no wait between retries, then opts, which may override any of
// these. It panics if the client cannot be made, as a test helper may.
//
// The root package's own tests cannot use it from package whippyware (an import cycle); they
// can from package whippyware_test.
func (s *Server) Client(opts ...whippyware.Option) *whippyware.Client {
	user := s.cfg.username
	c, err := whippyware.NewClient(s.URL, append([]whippyware.Option{
		whippyware.WithCredentials(user, s.cfg.users[user]),
		whippyware.WithHTTPClient(s.HTTPClient()),
		whippyware.WithRetryWait(0, 0),
	}, opts...)...)
	if err != nil {
		panic(fmt.Sprintf("whippywaretest: Server.Client: %v", err))
	}
	return c
}
