package whippyware_test

// What the tests that run the client against the fake server share.

// The paths of the login and of the providers, as the fake logs them.

const (
	relLoginPath     = "/api/v1/auth/login/"
	relProvidersPath = "/api/v1/providers/"
)
