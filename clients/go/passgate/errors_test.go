package passgate_test

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/passgate/passgate/clients/go/passgate"
	authv1 "github.com/passgate/passgate/clients/go/passgate/auth/v1"
)

func withDetails(t *testing.T, code codes.Code, details ...*errdetails.ErrorInfo) *status.Status {
	t.Helper()
	st := status.New(code, "refused")
	for _, d := range details {
		var err error
		if st, err = st.WithDetails(d); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestParseErrorDecodesBadRequest(t *testing.T) {
	st := withDetails(t, codes.InvalidArgument, &errdetails.ErrorInfo{
		Reason: authv1.ErrorReason_INVALID_REQUEST.String(), Domain: passgate.Domain,
	})
	st, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
		{Field: "new_password", Description: "too short", Reason: "PASSWORD_TOO_SHORT"},
		{Field: "new_password", Description: "needs a digit", Reason: "PASSWORD_MISSING_CHARACTER_CLASS"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := passgate.ParseError(st.Err())
	if e.Code != codes.InvalidArgument || e.Reason != "INVALID_REQUEST" || e.Domain != passgate.Domain {
		t.Fatalf("got %+v", e)
	}
	if len(e.Violations) != 2 || !e.HasViolation("new_password", "PASSWORD_TOO_SHORT") {
		t.Fatalf("violations: %+v", e.Violations)
	}
	if e.HasViolation("confirm_password", "PASSWORD_TOO_SHORT") {
		t.Fatal("HasViolation matched the wrong field")
	}
	if got := passgate.ParseError(e); len(got.Violations) != 2 {
		t.Fatalf("an Error does not parse back to itself: %+v", got)
	}
}

func TestParseErrorDecodesRetryInfoAndQuota(t *testing.T) {
	st := withDetails(t, codes.ResourceExhausted, &errdetails.ErrorInfo{Reason: "RATE_LIMITED", Domain: passgate.Domain})
	st, err := st.WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)},
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{
			{Subject: "api_key", Description: "25 calls in 5s"},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	e := passgate.ParseError(st.Err())
	if e.RetryDelay != 1500*time.Millisecond || len(e.Quota) != 1 || e.Quota[0].Subject != "api_key" {
		t.Fatalf("got %+v", e)
	}
	if passgate.Reason(st.Err()) != "RATE_LIMITED" {
		t.Fatal("Reason did not read ErrorInfo")
	}
}

func TestParseErrorWithoutStatus(t *testing.T) {
	if passgate.ParseError(nil) != nil {
		t.Fatal("nil error parsed")
	}
	if passgate.ParseError(errors.New("plain")) != nil {
		t.Fatal("an error without a gRPC status parsed")
	}
	if passgate.Reason(errors.New("plain")) != "" {
		t.Fatal("reason of a plain error")
	}
}

func TestRetryAfter(t *testing.T) {
	if d, ok := passgate.RetryAfter(metadata.Pairs("retry-after", "3")); !ok || d != 3*time.Second {
		t.Fatalf("got %v %v", d, ok)
	}
	for _, md := range []metadata.MD{nil, metadata.Pairs("retry-after", "soon"), metadata.Pairs("retry-after", "-1")} {
		if _, ok := passgate.RetryAfter(md); ok {
			t.Fatalf("accepted %v", md)
		}
	}
}

func TestErrorReadsAsTheOtherClientsPrintIt(t *testing.T) {
	refused := withDetails(t, codes.PermissionDenied, &errdetails.ErrorInfo{
		Reason: "API_KEY_SCOPE", Domain: passgate.Domain,
	})
	internal := withDetails(t, codes.Internal, &errdetails.ErrorInfo{
		Reason: "INTERNAL", Domain: passgate.Domain, Metadata: map[string]string{"error_id": "e-7"},
	})
	cases := map[string]error{
		"PERMISSION_DENIED API_KEY_SCOPE: refused":  refused.Err(),
		"INTERNAL INTERNAL: refused (error id e-7)": internal.Err(),
		"CANCELLED: context canceled":               status.Error(codes.Canceled, "context canceled"),
		"UNAVAILABLE":                               status.Error(codes.Unavailable, ""),
	}
	for want, err := range cases {
		if got := passgate.ParseError(err).Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	}
}
