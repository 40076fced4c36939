// Command webhook receives the security events passgate delivers to a webhook
// endpoint: it checks each delivery's Standard Webhooks signature with the
// endpoint's secret, answers 204 to a verified one and prints its body, and
// answers 401 with the reason to anything else.
//
// Run it from clients/go with the endpoint's secret:
//
//	PASSGATE_WEBHOOK_SECRET=whsec_... go run ./examples/webhook -listen 127.0.0.1:8081
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/passgate/passgate/clients/go/passgate/webhook"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to receive deliveries on")
	flag.Parse()
	verifier, err := webhook.NewVerifier(os.Getenv("PASSGATE_WEBHOOK_SECRET"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v (set PASSGATE_WEBHOOK_SECRET to the endpoint's secret)\n", err)
		os.Exit(2)
	}
	http.Handle("POST /", receive(verifier))
	log.Fatal(http.ListenAndServe(*listen, nil))
}

// receive verifies each delivery before anything reads its body as JSON.
func receive(verifier *webhook.Verifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		if err := verifier.Verify(r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		// Verified: the body came from passgate, unchanged. A retried delivery
		// keeps its webhook-id, so handle each id once.
		fmt.Printf("%s %s\n", r.Header.Get(webhook.IDHeader), body)
		w.WriteHeader(http.StatusNoContent)
	})
}
