package passgate

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// APIKeyHeader and AuthorizationHeader are the metadata keys passgate reads.
const (
	APIKeyHeader        = "x-api-key"
	AuthorizationHeader = "authorization"
)

// WithAPIKey is a dial option that sends key as `x-api-key` on every call of
// the connection.
func WithAPIKey(key string) grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(func(
		ctx context.Context, method string, req, reply any,
		cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption,
	) error {
		return invoker(metadata.AppendToOutgoingContext(ctx, APIKeyHeader, key), method, req, reply, cc, opts...)
	})
}

// WithSession returns a context whose calls carry sessionToken as
// `authorization: Bearer <sessionToken>`, for ChangePassword and SignOut.
func WithSession(ctx context.Context, sessionToken string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, AuthorizationHeader, "Bearer "+sessionToken)
}
