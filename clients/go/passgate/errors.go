package passgate

import (
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Domain is the ErrorInfo domain of every error passgate returns.
const Domain = "passgate.dev"

// Error is a rejected call's status with its google.rpc details decoded, so
// callers act on reasons and fields rather than on message text.
type Error struct {
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the human-readable status message; it may change between
	// releases, so never compare it.
	Message string
	// Reason is ErrorInfo's reason: the name of an authv1.ErrorReason value,
	// such as "INVALID_CREDENTIALS". Empty when the error did not come from
	// passgate (a transport failure, a deadline).
	Reason string
	// Domain is ErrorInfo's domain, "passgate.dev" for passgate's errors.
	Domain string
	// Metadata is ErrorInfo's metadata, e.g. "error_id" on INTERNAL errors.
	Metadata map[string]string
	// Violations lists BadRequest's field violations, one per broken rule.
	Violations []FieldViolation
	// RetryDelay is RetryInfo's delay: how long to wait before trying again.
	// Zero when the server sent no RetryInfo.
	RetryDelay time.Duration
	// Quota lists QuotaFailure's violations on RESOURCE_EXHAUSTED.
	Quota []QuotaViolation

	status *status.Status
}

// FieldViolation is one broken rule of one request field.
type FieldViolation struct {
	// Field is the request field's name, e.g. "new_password".
	Field string
	// Description says what is wrong, for people.
	Description string
	// Reason is the rule's authv1.ErrorReason name, e.g. "PASSWORD_TOO_SHORT".
	Reason string
}

// QuotaViolation names the limit a RESOURCE_EXHAUSTED call ran into.
type QuotaViolation struct {
	Subject     string
	Description string
}

// ParseError decodes err's gRPC status and passgate's details. It returns
// nil when err is nil or carries no gRPC status.
func ParseError(err error) *Error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return nil
	}
	e := &Error{Code: st.Code(), Message: st.Message(), status: st}
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			e.Reason, e.Domain, e.Metadata = d.GetReason(), d.GetDomain(), d.GetMetadata()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				e.Violations = append(e.Violations, FieldViolation{
					Field: v.GetField(), Description: v.GetDescription(), Reason: v.GetReason(),
				})
			}
		case *errdetails.RetryInfo:
			e.RetryDelay = d.GetRetryDelay().AsDuration()
		case *errdetails.QuotaFailure:
			for _, v := range d.GetViolations() {
				e.Quota = append(e.Quota, QuotaViolation{
					Subject: v.GetSubject(), Description: v.GetDescription(),
				})
			}
		}
	}
	return e
}

// Error implements the error interface: one line that says why the call
// failed, as the Python, TypeScript and Java clients print theirs: the code
// as gRPC names it, the reason if there is one, then the message and the
// error id if any, e.g. "PERMISSION_DENIED API_KEY_SCOPE: this API key may
// not call this method".
func (e *Error) Error() string {
	label := codeName(e.Code)
	if e.Reason != "" {
		label += " " + e.Reason
	}
	text := label
	if e.Message != "" {
		text += ": " + e.Message
	}
	if id := e.Metadata["error_id"]; id != "" {
		text += " (error id " + id + ")"
	}
	return text
}

// codeNames are the status codes' names as gRPC's specification writes them
// (Go's own String() says "Canceled" and "PermissionDenied").
var codeNames = map[codes.Code]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

func codeName(code codes.Code) string {
	if name, ok := codeNames[code]; ok {
		return name
	}
	return "CODE_" + strconv.Itoa(int(code))
}

// GRPCStatus returns the status the Error was decoded from, details
// included, so status.FromError and status.Code see through it.
func (e *Error) GRPCStatus() *status.Status {
	if e.status == nil {
		return status.New(e.Code, e.Message)
	}
	return e.status
}

// HasViolation reports whether field broke the rule named reason.
func (e *Error) HasViolation(field, reason string) bool {
	for _, v := range e.Violations {
		if v.Field == field && v.Reason == reason {
			return true
		}
	}
	return false
}

// Reason returns the ErrorInfo reason of err, or "" if it has none.
func Reason(err error) string {
	if e := ParseError(err); e != nil {
		return e.Reason
	}
	return ""
}

// RetryAfter reads the `retry-after` trailer (whole seconds) that passgate
// sends with RESOURCE_EXHAUSTED; capture trailers with grpc.Trailer(&md).
func RetryAfter(trailer metadata.MD) (time.Duration, bool) {
	values := trailer.Get("retry-after")
	if len(values) == 0 {
		return 0, false
	}
	seconds, err := strconv.Atoi(strings.TrimSpace(values[0]))
	if err != nil || seconds < 0 {
		return 0, false
	}
	return time.Duration(seconds) * time.Second, true
}
