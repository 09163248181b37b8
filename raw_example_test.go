package whippyware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/whippyware-go/whippyware"
	"github.com/whippyware-go/whippyware/whippywaretest"
)

// stockImport is the answer of an endpoint the SDK does not wrap.
type stockImport struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Rows   int    `json:"rows"`
}

// withStockImports serves POST api/v1/stock-imports/, an endpoint the fake does not
// know, in front of the fake's own handler. It takes the key as the fake's other
// endpoints do, by asking the fake.
func withStockImports(fake *whippywaretest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/stock-imports/", func(w http.ResponseWriter, r *http.Request) {
		check := httptest.NewRecorder()
		probe := httptest.NewRequestWithContext(r.Context(), http.MethodGet, "/api/v1/providers/?limit=1", nil)
		probe.Header.Set("Authorization", r.Header.Get("Authorization"))
		fake.Handler().ServeHTTP(check, probe)
		if check.Code != http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(check.Code)
			w.Write(check.Body.Bytes())
			return
		}
		var req struct {
			Rows []json.RawMessage `json:"rows"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"detail": "JSON parse error"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(stockImport{ID: 7, Status: "queued", Rows: len(req.Rows)})
	})
	mux.Handle("/", fake.Handler())
	return mux
}

// Call an endpoint the SDK does not wrap with the client's login, retries and
// typed errors. Here a handler in front of the fake serves it; against the real
// service, only the Do call is needed.
func ExampleClient_Do() {
	fake := whippywaretest.NewServer(whippywaretest.WithoutListener())
	defer fake.Close()
	srv := httptest.NewServer(withStockImports(fake))
	defer srv.Close()
	client, err := whippyware.NewClient(srv.URL,
		whippyware.WithCredentials(whippywaretest.DefaultUsername, whippywaretest.DefaultPassword))
	if err != nil {
		fmt.Println(err)
		return
	}

	body := map[string]any{"rows": []map[string]any{
		{"sku": "SKU-1", "provider": "main", "location": "110", "stock": 5},
		{"sku": "SKU-2", "provider": "main", "location": "110", "stock": 0},
	}}
	var out stockImport
	resp, err := client.Do(context.Background(), http.MethodPost, "api/v1/stock-imports/", body, &out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, out.ID, out.Status, out.Rows)

	_, err = client.Do(context.Background(), http.MethodGet, "https://elsewhere.example/api/v1/stocks/", nil, &out)
	fmt.Println(errors.Is(err, whippyware.ErrInvalidRequest))
	// Output:
	// 202 7 queued 2
	// true
}
