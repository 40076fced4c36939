// Package passgate helps Go programs call passgate's AuthService (generated in
// package authv1 beside it): it attaches the API key and the session to
// calls, and decodes the google.rpc details of rejected calls into an Error.
package passgate
