package whippyware

import (
	_ "github.com/google/go-querystring/query"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/jarcoal/httpmock"
	_ "github.com/stretchr/testify/assert"
)
