package dev.passgate.auth.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AuthService signs users in with a password, manages their sessions, and
 * changes and resets their passwords.
 * Every call must carry an API key in the `x-api-key` metadata entry. The key
 * belongs to a tenant; users, sessions and reset tokens are scoped to it.
 * Calls that act as a signed-in user also carry the session in the
 * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
 * Errors follow the google.rpc rich error model. Every rejected call carries
 * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
 * one of `ErrorReason`'s value names; invalid input adds a
 * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
 * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
 * `retry-after` trailer in whole seconds.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class AuthServiceGrpc {

  private AuthServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "passgate.auth.v1.AuthService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignInRequest,
      dev.passgate.auth.v1.SignInResponse> getSignInMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SignIn",
      requestType = dev.passgate.auth.v1.SignInRequest.class,
      responseType = dev.passgate.auth.v1.SignInResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignInRequest,
      dev.passgate.auth.v1.SignInResponse> getSignInMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignInRequest, dev.passgate.auth.v1.SignInResponse> getSignInMethod;
    if ((getSignInMethod = AuthServiceGrpc.getSignInMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getSignInMethod = AuthServiceGrpc.getSignInMethod) == null) {
          AuthServiceGrpc.getSignInMethod = getSignInMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.SignInRequest, dev.passgate.auth.v1.SignInResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SignIn"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignInRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignInResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("SignIn"))
              .build();
        }
      }
    }
    return getSignInMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.ChangePasswordRequest,
      dev.passgate.auth.v1.ChangePasswordResponse> getChangePasswordMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ChangePassword",
      requestType = dev.passgate.auth.v1.ChangePasswordRequest.class,
      responseType = dev.passgate.auth.v1.ChangePasswordResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.ChangePasswordRequest,
      dev.passgate.auth.v1.ChangePasswordResponse> getChangePasswordMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.ChangePasswordRequest, dev.passgate.auth.v1.ChangePasswordResponse> getChangePasswordMethod;
    if ((getChangePasswordMethod = AuthServiceGrpc.getChangePasswordMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getChangePasswordMethod = AuthServiceGrpc.getChangePasswordMethod) == null) {
          AuthServiceGrpc.getChangePasswordMethod = getChangePasswordMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.ChangePasswordRequest, dev.passgate.auth.v1.ChangePasswordResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ChangePassword"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.ChangePasswordRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.ChangePasswordResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ChangePassword"))
              .build();
        }
      }
    }
    return getChangePasswordMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.RequestResetRequest,
      dev.passgate.auth.v1.RequestResetResponse> getRequestResetMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RequestReset",
      requestType = dev.passgate.auth.v1.RequestResetRequest.class,
      responseType = dev.passgate.auth.v1.RequestResetResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.RequestResetRequest,
      dev.passgate.auth.v1.RequestResetResponse> getRequestResetMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.RequestResetRequest, dev.passgate.auth.v1.RequestResetResponse> getRequestResetMethod;
    if ((getRequestResetMethod = AuthServiceGrpc.getRequestResetMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getRequestResetMethod = AuthServiceGrpc.getRequestResetMethod) == null) {
          AuthServiceGrpc.getRequestResetMethod = getRequestResetMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.RequestResetRequest, dev.passgate.auth.v1.RequestResetResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RequestReset"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.RequestResetRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.RequestResetResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("RequestReset"))
              .build();
        }
      }
    }
    return getRequestResetMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.SubmitResetRequest,
      dev.passgate.auth.v1.SubmitResetResponse> getSubmitResetMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SubmitReset",
      requestType = dev.passgate.auth.v1.SubmitResetRequest.class,
      responseType = dev.passgate.auth.v1.SubmitResetResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.SubmitResetRequest,
      dev.passgate.auth.v1.SubmitResetResponse> getSubmitResetMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.SubmitResetRequest, dev.passgate.auth.v1.SubmitResetResponse> getSubmitResetMethod;
    if ((getSubmitResetMethod = AuthServiceGrpc.getSubmitResetMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getSubmitResetMethod = AuthServiceGrpc.getSubmitResetMethod) == null) {
          AuthServiceGrpc.getSubmitResetMethod = getSubmitResetMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.SubmitResetRequest, dev.passgate.auth.v1.SubmitResetResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SubmitReset"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SubmitResetRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SubmitResetResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("SubmitReset"))
              .build();
        }
      }
    }
    return getSubmitResetMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutRequest,
      dev.passgate.auth.v1.SignOutResponse> getSignOutMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SignOut",
      requestType = dev.passgate.auth.v1.SignOutRequest.class,
      responseType = dev.passgate.auth.v1.SignOutResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutRequest,
      dev.passgate.auth.v1.SignOutResponse> getSignOutMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutRequest, dev.passgate.auth.v1.SignOutResponse> getSignOutMethod;
    if ((getSignOutMethod = AuthServiceGrpc.getSignOutMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getSignOutMethod = AuthServiceGrpc.getSignOutMethod) == null) {
          AuthServiceGrpc.getSignOutMethod = getSignOutMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.SignOutRequest, dev.passgate.auth.v1.SignOutResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SignOut"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignOutRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignOutResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("SignOut"))
              .build();
        }
      }
    }
    return getSignOutMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.VerifySessionRequest,
      dev.passgate.auth.v1.VerifySessionResponse> getVerifySessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "VerifySession",
      requestType = dev.passgate.auth.v1.VerifySessionRequest.class,
      responseType = dev.passgate.auth.v1.VerifySessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.VerifySessionRequest,
      dev.passgate.auth.v1.VerifySessionResponse> getVerifySessionMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.VerifySessionRequest, dev.passgate.auth.v1.VerifySessionResponse> getVerifySessionMethod;
    if ((getVerifySessionMethod = AuthServiceGrpc.getVerifySessionMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getVerifySessionMethod = AuthServiceGrpc.getVerifySessionMethod) == null) {
          AuthServiceGrpc.getVerifySessionMethod = getVerifySessionMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.VerifySessionRequest, dev.passgate.auth.v1.VerifySessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "VerifySession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.VerifySessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.VerifySessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("VerifySession"))
              .build();
        }
      }
    }
    return getVerifySessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.ListSessionsRequest,
      dev.passgate.auth.v1.ListSessionsResponse> getListSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSessions",
      requestType = dev.passgate.auth.v1.ListSessionsRequest.class,
      responseType = dev.passgate.auth.v1.ListSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.ListSessionsRequest,
      dev.passgate.auth.v1.ListSessionsResponse> getListSessionsMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.ListSessionsRequest, dev.passgate.auth.v1.ListSessionsResponse> getListSessionsMethod;
    if ((getListSessionsMethod = AuthServiceGrpc.getListSessionsMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getListSessionsMethod = AuthServiceGrpc.getListSessionsMethod) == null) {
          AuthServiceGrpc.getListSessionsMethod = getListSessionsMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.ListSessionsRequest, dev.passgate.auth.v1.ListSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.ListSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.ListSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ListSessions"))
              .build();
        }
      }
    }
    return getListSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.RevokeSessionRequest,
      dev.passgate.auth.v1.RevokeSessionResponse> getRevokeSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeSession",
      requestType = dev.passgate.auth.v1.RevokeSessionRequest.class,
      responseType = dev.passgate.auth.v1.RevokeSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.RevokeSessionRequest,
      dev.passgate.auth.v1.RevokeSessionResponse> getRevokeSessionMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.RevokeSessionRequest, dev.passgate.auth.v1.RevokeSessionResponse> getRevokeSessionMethod;
    if ((getRevokeSessionMethod = AuthServiceGrpc.getRevokeSessionMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getRevokeSessionMethod = AuthServiceGrpc.getRevokeSessionMethod) == null) {
          AuthServiceGrpc.getRevokeSessionMethod = getRevokeSessionMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.RevokeSessionRequest, dev.passgate.auth.v1.RevokeSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.RevokeSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.RevokeSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("RevokeSession"))
              .build();
        }
      }
    }
    return getRevokeSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutEverywhereRequest,
      dev.passgate.auth.v1.SignOutEverywhereResponse> getSignOutEverywhereMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SignOutEverywhere",
      requestType = dev.passgate.auth.v1.SignOutEverywhereRequest.class,
      responseType = dev.passgate.auth.v1.SignOutEverywhereResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutEverywhereRequest,
      dev.passgate.auth.v1.SignOutEverywhereResponse> getSignOutEverywhereMethod() {
    io.grpc.MethodDescriptor<dev.passgate.auth.v1.SignOutEverywhereRequest, dev.passgate.auth.v1.SignOutEverywhereResponse> getSignOutEverywhereMethod;
    if ((getSignOutEverywhereMethod = AuthServiceGrpc.getSignOutEverywhereMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getSignOutEverywhereMethod = AuthServiceGrpc.getSignOutEverywhereMethod) == null) {
          AuthServiceGrpc.getSignOutEverywhereMethod = getSignOutEverywhereMethod =
              io.grpc.MethodDescriptor.<dev.passgate.auth.v1.SignOutEverywhereRequest, dev.passgate.auth.v1.SignOutEverywhereResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SignOutEverywhere"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignOutEverywhereRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.auth.v1.SignOutEverywhereResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("SignOutEverywhere"))
              .build();
        }
      }
    }
    return getSignOutEverywhereMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AuthServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceStub>() {
        @java.lang.Override
        public AuthServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceStub(channel, callOptions);
        }
      };
    return AuthServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static AuthServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingV2Stub>() {
        @java.lang.Override
        public AuthServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return AuthServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AuthServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingStub>() {
        @java.lang.Override
        public AuthServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceBlockingStub(channel, callOptions);
        }
      };
    return AuthServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AuthServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceFutureStub>() {
        @java.lang.Override
        public AuthServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceFutureStub(channel, callOptions);
        }
      };
    return AuthServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * SignIn checks a password and opens a session.
     * Caller: any API key allowed to call SignIn. Unknown users, wrong
     * passwords and disabled users get the same `UNAUTHENTICATED` answer
     * (`INVALID_CREDENTIALS`) after the same amount of work.
     * </pre>
     */
    default void signIn(dev.passgate.auth.v1.SignInRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignInResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSignInMethod(), responseObserver);
    }

    /**
     * <pre>
     * ChangePassword replaces the signed-in user's password.
     * Caller: API key plus the user's session in `authorization`. On success
     * the user gets a fresh session and every other session of theirs,
     * including the one used for this call, is revoked in the same
     * transaction. A wrong `old_password` answers `UNAUTHENTICATED`
     * (`INVALID_CREDENTIALS`) and counts as a failed sign-in; a refused call
     * keeps every session.
     * </pre>
     */
    default void changePassword(dev.passgate.auth.v1.ChangePasswordRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ChangePasswordResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getChangePasswordMethod(), responseObserver);
    }

    /**
     * <pre>
     * RequestReset e-mails a single-use password-reset link to the user.
     * Caller: any API key allowed to call RequestReset. The answer is the same,
     * and takes the same time, whether or not the user exists: the e-mail
     * leaves later through a durable outbox. The link is
     * `&lt;reset_url&gt;?user=&lt;user_id&gt;&amp;token=&lt;token&gt;`.
     * </pre>
     */
    default void requestReset(dev.passgate.auth.v1.RequestResetRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RequestResetResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRequestResetMethod(), responseObserver);
    }

    /**
     * <pre>
     * SubmitReset sets a new password with a token from a reset e-mail.
     * Caller: any API key allowed to call SubmitReset. The token is consumed
     * atomically: of many concurrent calls with one token exactly one
     * succeeds. On success every session of the user is revoked and no new
     * session is issued. An unknown, used, expired or foreign token answers
     * `INVALID_ARGUMENT` with field `token`, reason `RESET_TOKEN_INVALID`; a
     * call refused for its new password leaves the token live.
     * </pre>
     */
    default void submitReset(dev.passgate.auth.v1.SubmitResetRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SubmitResetResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSubmitResetMethod(), responseObserver);
    }

    /**
     * <pre>
     * SignOut revokes the session given in `authorization`.
     * Caller: API key plus the session to end.
     * </pre>
     */
    default void signOut(dev.passgate.auth.v1.SignOutRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSignOutMethod(), responseObserver);
    }

    /**
     * <pre>
     * VerifySession tells a backend service whose session a token is.
     * Caller: any API key allowed to call VerifySession. A missing, expired or
     * revoked session answers `UNAUTHENTICATED` (`SESSION_INVALID`).
     * </pre>
     */
    default void verifySession(dev.passgate.auth.v1.VerifySessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.VerifySessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getVerifySessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSessions lists the signed-in user's live sessions, newest first.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    default void listSessions(dev.passgate.auth.v1.ListSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ListSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeSession ends one of the signed-in user's own sessions. A session
     * of another user answers `NOT_FOUND` (`SESSION_NOT_FOUND`), as an unknown
     * one does.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    default void revokeSession(dev.passgate.auth.v1.RevokeSessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RevokeSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * SignOutEverywhere ends every session of the signed-in user, or every one
     * but the session used for the call.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    default void signOutEverywhere(dev.passgate.auth.v1.SignOutEverywhereRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutEverywhereResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSignOutEverywhereMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service AuthService.
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public static abstract class AuthServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return AuthServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service AuthService.
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public static final class AuthServiceStub
      extends io.grpc.stub.AbstractAsyncStub<AuthServiceStub> {
    private AuthServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * SignIn checks a password and opens a session.
     * Caller: any API key allowed to call SignIn. Unknown users, wrong
     * passwords and disabled users get the same `UNAUTHENTICATED` answer
     * (`INVALID_CREDENTIALS`) after the same amount of work.
     * </pre>
     */
    public void signIn(dev.passgate.auth.v1.SignInRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignInResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSignInMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ChangePassword replaces the signed-in user's password.
     * Caller: API key plus the user's session in `authorization`. On success
     * the user gets a fresh session and every other session of theirs,
     * including the one used for this call, is revoked in the same
     * transaction. A wrong `old_password` answers `UNAUTHENTICATED`
     * (`INVALID_CREDENTIALS`) and counts as a failed sign-in; a refused call
     * keeps every session.
     * </pre>
     */
    public void changePassword(dev.passgate.auth.v1.ChangePasswordRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ChangePasswordResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getChangePasswordMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RequestReset e-mails a single-use password-reset link to the user.
     * Caller: any API key allowed to call RequestReset. The answer is the same,
     * and takes the same time, whether or not the user exists: the e-mail
     * leaves later through a durable outbox. The link is
     * `&lt;reset_url&gt;?user=&lt;user_id&gt;&amp;token=&lt;token&gt;`.
     * </pre>
     */
    public void requestReset(dev.passgate.auth.v1.RequestResetRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RequestResetResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRequestResetMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SubmitReset sets a new password with a token from a reset e-mail.
     * Caller: any API key allowed to call SubmitReset. The token is consumed
     * atomically: of many concurrent calls with one token exactly one
     * succeeds. On success every session of the user is revoked and no new
     * session is issued. An unknown, used, expired or foreign token answers
     * `INVALID_ARGUMENT` with field `token`, reason `RESET_TOKEN_INVALID`; a
     * call refused for its new password leaves the token live.
     * </pre>
     */
    public void submitReset(dev.passgate.auth.v1.SubmitResetRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SubmitResetResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSubmitResetMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SignOut revokes the session given in `authorization`.
     * Caller: API key plus the session to end.
     * </pre>
     */
    public void signOut(dev.passgate.auth.v1.SignOutRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSignOutMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * VerifySession tells a backend service whose session a token is.
     * Caller: any API key allowed to call VerifySession. A missing, expired or
     * revoked session answers `UNAUTHENTICATED` (`SESSION_INVALID`).
     * </pre>
     */
    public void verifySession(dev.passgate.auth.v1.VerifySessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.VerifySessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getVerifySessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSessions lists the signed-in user's live sessions, newest first.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public void listSessions(dev.passgate.auth.v1.ListSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ListSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeSession ends one of the signed-in user's own sessions. A session
     * of another user answers `NOT_FOUND` (`SESSION_NOT_FOUND`), as an unknown
     * one does.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public void revokeSession(dev.passgate.auth.v1.RevokeSessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RevokeSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SignOutEverywhere ends every session of the signed-in user, or every one
     * but the session used for the call.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public void signOutEverywhere(dev.passgate.auth.v1.SignOutEverywhereRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutEverywhereResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSignOutEverywhereMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service AuthService.
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public static final class AuthServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<AuthServiceBlockingV2Stub> {
    private AuthServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * SignIn checks a password and opens a session.
     * Caller: any API key allowed to call SignIn. Unknown users, wrong
     * passwords and disabled users get the same `UNAUTHENTICATED` answer
     * (`INVALID_CREDENTIALS`) after the same amount of work.
     * </pre>
     */
    public dev.passgate.auth.v1.SignInResponse signIn(dev.passgate.auth.v1.SignInRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSignInMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ChangePassword replaces the signed-in user's password.
     * Caller: API key plus the user's session in `authorization`. On success
     * the user gets a fresh session and every other session of theirs,
     * including the one used for this call, is revoked in the same
     * transaction. A wrong `old_password` answers `UNAUTHENTICATED`
     * (`INVALID_CREDENTIALS`) and counts as a failed sign-in; a refused call
     * keeps every session.
     * </pre>
     */
    public dev.passgate.auth.v1.ChangePasswordResponse changePassword(dev.passgate.auth.v1.ChangePasswordRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getChangePasswordMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RequestReset e-mails a single-use password-reset link to the user.
     * Caller: any API key allowed to call RequestReset. The answer is the same,
     * and takes the same time, whether or not the user exists: the e-mail
     * leaves later through a durable outbox. The link is
     * `&lt;reset_url&gt;?user=&lt;user_id&gt;&amp;token=&lt;token&gt;`.
     * </pre>
     */
    public dev.passgate.auth.v1.RequestResetResponse requestReset(dev.passgate.auth.v1.RequestResetRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRequestResetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SubmitReset sets a new password with a token from a reset e-mail.
     * Caller: any API key allowed to call SubmitReset. The token is consumed
     * atomically: of many concurrent calls with one token exactly one
     * succeeds. On success every session of the user is revoked and no new
     * session is issued. An unknown, used, expired or foreign token answers
     * `INVALID_ARGUMENT` with field `token`, reason `RESET_TOKEN_INVALID`; a
     * call refused for its new password leaves the token live.
     * </pre>
     */
    public dev.passgate.auth.v1.SubmitResetResponse submitReset(dev.passgate.auth.v1.SubmitResetRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSubmitResetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SignOut revokes the session given in `authorization`.
     * Caller: API key plus the session to end.
     * </pre>
     */
    public dev.passgate.auth.v1.SignOutResponse signOut(dev.passgate.auth.v1.SignOutRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSignOutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * VerifySession tells a backend service whose session a token is.
     * Caller: any API key allowed to call VerifySession. A missing, expired or
     * revoked session answers `UNAUTHENTICATED` (`SESSION_INVALID`).
     * </pre>
     */
    public dev.passgate.auth.v1.VerifySessionResponse verifySession(dev.passgate.auth.v1.VerifySessionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getVerifySessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSessions lists the signed-in user's live sessions, newest first.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.ListSessionsResponse listSessions(dev.passgate.auth.v1.ListSessionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeSession ends one of the signed-in user's own sessions. A session
     * of another user answers `NOT_FOUND` (`SESSION_NOT_FOUND`), as an unknown
     * one does.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.RevokeSessionResponse revokeSession(dev.passgate.auth.v1.RevokeSessionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SignOutEverywhere ends every session of the signed-in user, or every one
     * but the session used for the call.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.SignOutEverywhereResponse signOutEverywhere(dev.passgate.auth.v1.SignOutEverywhereRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSignOutEverywhereMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service AuthService.
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public static final class AuthServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<AuthServiceBlockingStub> {
    private AuthServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * SignIn checks a password and opens a session.
     * Caller: any API key allowed to call SignIn. Unknown users, wrong
     * passwords and disabled users get the same `UNAUTHENTICATED` answer
     * (`INVALID_CREDENTIALS`) after the same amount of work.
     * </pre>
     */
    public dev.passgate.auth.v1.SignInResponse signIn(dev.passgate.auth.v1.SignInRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSignInMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ChangePassword replaces the signed-in user's password.
     * Caller: API key plus the user's session in `authorization`. On success
     * the user gets a fresh session and every other session of theirs,
     * including the one used for this call, is revoked in the same
     * transaction. A wrong `old_password` answers `UNAUTHENTICATED`
     * (`INVALID_CREDENTIALS`) and counts as a failed sign-in; a refused call
     * keeps every session.
     * </pre>
     */
    public dev.passgate.auth.v1.ChangePasswordResponse changePassword(dev.passgate.auth.v1.ChangePasswordRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getChangePasswordMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RequestReset e-mails a single-use password-reset link to the user.
     * Caller: any API key allowed to call RequestReset. The answer is the same,
     * and takes the same time, whether or not the user exists: the e-mail
     * leaves later through a durable outbox. The link is
     * `&lt;reset_url&gt;?user=&lt;user_id&gt;&amp;token=&lt;token&gt;`.
     * </pre>
     */
    public dev.passgate.auth.v1.RequestResetResponse requestReset(dev.passgate.auth.v1.RequestResetRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRequestResetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SubmitReset sets a new password with a token from a reset e-mail.
     * Caller: any API key allowed to call SubmitReset. The token is consumed
     * atomically: of many concurrent calls with one token exactly one
     * succeeds. On success every session of the user is revoked and no new
     * session is issued. An unknown, used, expired or foreign token answers
     * `INVALID_ARGUMENT` with field `token`, reason `RESET_TOKEN_INVALID`; a
     * call refused for its new password leaves the token live.
     * </pre>
     */
    public dev.passgate.auth.v1.SubmitResetResponse submitReset(dev.passgate.auth.v1.SubmitResetRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSubmitResetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SignOut revokes the session given in `authorization`.
     * Caller: API key plus the session to end.
     * </pre>
     */
    public dev.passgate.auth.v1.SignOutResponse signOut(dev.passgate.auth.v1.SignOutRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSignOutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * VerifySession tells a backend service whose session a token is.
     * Caller: any API key allowed to call VerifySession. A missing, expired or
     * revoked session answers `UNAUTHENTICATED` (`SESSION_INVALID`).
     * </pre>
     */
    public dev.passgate.auth.v1.VerifySessionResponse verifySession(dev.passgate.auth.v1.VerifySessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getVerifySessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSessions lists the signed-in user's live sessions, newest first.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.ListSessionsResponse listSessions(dev.passgate.auth.v1.ListSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeSession ends one of the signed-in user's own sessions. A session
     * of another user answers `NOT_FOUND` (`SESSION_NOT_FOUND`), as an unknown
     * one does.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.RevokeSessionResponse revokeSession(dev.passgate.auth.v1.RevokeSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SignOutEverywhere ends every session of the signed-in user, or every one
     * but the session used for the call.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public dev.passgate.auth.v1.SignOutEverywhereResponse signOutEverywhere(dev.passgate.auth.v1.SignOutEverywhereRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSignOutEverywhereMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service AuthService.
   * <pre>
   * AuthService signs users in with a password, manages their sessions, and
   * changes and resets their passwords.
   * Every call must carry an API key in the `x-api-key` metadata entry. The key
   * belongs to a tenant; users, sessions and reset tokens are scoped to it.
   * Calls that act as a signed-in user also carry the session in the
   * `authorization` metadata entry as `Bearer &lt;session_token&gt;`.
   * Errors follow the google.rpc rich error model. Every rejected call carries
   * exactly one `google.rpc.ErrorInfo` (domain `passgate.dev`) whose `reason` is
   * one of `ErrorReason`'s value names; invalid input adds a
   * `google.rpc.BadRequest` with one `FieldViolation` per broken rule; rate
   * limits add `google.rpc.RetryInfo` and `google.rpc.QuotaFailure` and a
   * `retry-after` trailer in whole seconds.
   * </pre>
   */
  public static final class AuthServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<AuthServiceFutureStub> {
    private AuthServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * SignIn checks a password and opens a session.
     * Caller: any API key allowed to call SignIn. Unknown users, wrong
     * passwords and disabled users get the same `UNAUTHENTICATED` answer
     * (`INVALID_CREDENTIALS`) after the same amount of work.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.SignInResponse> signIn(
        dev.passgate.auth.v1.SignInRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSignInMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ChangePassword replaces the signed-in user's password.
     * Caller: API key plus the user's session in `authorization`. On success
     * the user gets a fresh session and every other session of theirs,
     * including the one used for this call, is revoked in the same
     * transaction. A wrong `old_password` answers `UNAUTHENTICATED`
     * (`INVALID_CREDENTIALS`) and counts as a failed sign-in; a refused call
     * keeps every session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.ChangePasswordResponse> changePassword(
        dev.passgate.auth.v1.ChangePasswordRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getChangePasswordMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RequestReset e-mails a single-use password-reset link to the user.
     * Caller: any API key allowed to call RequestReset. The answer is the same,
     * and takes the same time, whether or not the user exists: the e-mail
     * leaves later through a durable outbox. The link is
     * `&lt;reset_url&gt;?user=&lt;user_id&gt;&amp;token=&lt;token&gt;`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.RequestResetResponse> requestReset(
        dev.passgate.auth.v1.RequestResetRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRequestResetMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SubmitReset sets a new password with a token from a reset e-mail.
     * Caller: any API key allowed to call SubmitReset. The token is consumed
     * atomically: of many concurrent calls with one token exactly one
     * succeeds. On success every session of the user is revoked and no new
     * session is issued. An unknown, used, expired or foreign token answers
     * `INVALID_ARGUMENT` with field `token`, reason `RESET_TOKEN_INVALID`; a
     * call refused for its new password leaves the token live.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.SubmitResetResponse> submitReset(
        dev.passgate.auth.v1.SubmitResetRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSubmitResetMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SignOut revokes the session given in `authorization`.
     * Caller: API key plus the session to end.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.SignOutResponse> signOut(
        dev.passgate.auth.v1.SignOutRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSignOutMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * VerifySession tells a backend service whose session a token is.
     * Caller: any API key allowed to call VerifySession. A missing, expired or
     * revoked session answers `UNAUTHENTICATED` (`SESSION_INVALID`).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.VerifySessionResponse> verifySession(
        dev.passgate.auth.v1.VerifySessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getVerifySessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSessions lists the signed-in user's live sessions, newest first.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.ListSessionsResponse> listSessions(
        dev.passgate.auth.v1.ListSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeSession ends one of the signed-in user's own sessions. A session
     * of another user answers `NOT_FOUND` (`SESSION_NOT_FOUND`), as an unknown
     * one does.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.RevokeSessionResponse> revokeSession(
        dev.passgate.auth.v1.RevokeSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SignOutEverywhere ends every session of the signed-in user, or every one
     * but the session used for the call.
     * Caller: API key plus one of the user's sessions in `authorization`.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.auth.v1.SignOutEverywhereResponse> signOutEverywhere(
        dev.passgate.auth.v1.SignOutEverywhereRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSignOutEverywhereMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_SIGN_IN = 0;
  private static final int METHODID_CHANGE_PASSWORD = 1;
  private static final int METHODID_REQUEST_RESET = 2;
  private static final int METHODID_SUBMIT_RESET = 3;
  private static final int METHODID_SIGN_OUT = 4;
  private static final int METHODID_VERIFY_SESSION = 5;
  private static final int METHODID_LIST_SESSIONS = 6;
  private static final int METHODID_REVOKE_SESSION = 7;
  private static final int METHODID_SIGN_OUT_EVERYWHERE = 8;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_SIGN_IN:
          serviceImpl.signIn((dev.passgate.auth.v1.SignInRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignInResponse>) responseObserver);
          break;
        case METHODID_CHANGE_PASSWORD:
          serviceImpl.changePassword((dev.passgate.auth.v1.ChangePasswordRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ChangePasswordResponse>) responseObserver);
          break;
        case METHODID_REQUEST_RESET:
          serviceImpl.requestReset((dev.passgate.auth.v1.RequestResetRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RequestResetResponse>) responseObserver);
          break;
        case METHODID_SUBMIT_RESET:
          serviceImpl.submitReset((dev.passgate.auth.v1.SubmitResetRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SubmitResetResponse>) responseObserver);
          break;
        case METHODID_SIGN_OUT:
          serviceImpl.signOut((dev.passgate.auth.v1.SignOutRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutResponse>) responseObserver);
          break;
        case METHODID_VERIFY_SESSION:
          serviceImpl.verifySession((dev.passgate.auth.v1.VerifySessionRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.VerifySessionResponse>) responseObserver);
          break;
        case METHODID_LIST_SESSIONS:
          serviceImpl.listSessions((dev.passgate.auth.v1.ListSessionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.ListSessionsResponse>) responseObserver);
          break;
        case METHODID_REVOKE_SESSION:
          serviceImpl.revokeSession((dev.passgate.auth.v1.RevokeSessionRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.RevokeSessionResponse>) responseObserver);
          break;
        case METHODID_SIGN_OUT_EVERYWHERE:
          serviceImpl.signOutEverywhere((dev.passgate.auth.v1.SignOutEverywhereRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.auth.v1.SignOutEverywhereResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getSignInMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.SignInRequest,
              dev.passgate.auth.v1.SignInResponse>(
                service, METHODID_SIGN_IN)))
        .addMethod(
          getChangePasswordMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.ChangePasswordRequest,
              dev.passgate.auth.v1.ChangePasswordResponse>(
                service, METHODID_CHANGE_PASSWORD)))
        .addMethod(
          getRequestResetMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.RequestResetRequest,
              dev.passgate.auth.v1.RequestResetResponse>(
                service, METHODID_REQUEST_RESET)))
        .addMethod(
          getSubmitResetMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.SubmitResetRequest,
              dev.passgate.auth.v1.SubmitResetResponse>(
                service, METHODID_SUBMIT_RESET)))
        .addMethod(
          getSignOutMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.SignOutRequest,
              dev.passgate.auth.v1.SignOutResponse>(
                service, METHODID_SIGN_OUT)))
        .addMethod(
          getVerifySessionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.VerifySessionRequest,
              dev.passgate.auth.v1.VerifySessionResponse>(
                service, METHODID_VERIFY_SESSION)))
        .addMethod(
          getListSessionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.ListSessionsRequest,
              dev.passgate.auth.v1.ListSessionsResponse>(
                service, METHODID_LIST_SESSIONS)))
        .addMethod(
          getRevokeSessionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.RevokeSessionRequest,
              dev.passgate.auth.v1.RevokeSessionResponse>(
                service, METHODID_REVOKE_SESSION)))
        .addMethod(
          getSignOutEverywhereMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.auth.v1.SignOutEverywhereRequest,
              dev.passgate.auth.v1.SignOutEverywhereResponse>(
                service, METHODID_SIGN_OUT_EVERYWHERE)))
        .build();
  }

  private static abstract class AuthServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AuthServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.passgate.auth.v1.AuthServiceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AuthService");
    }
  }

  private static final class AuthServiceFileDescriptorSupplier
      extends AuthServiceBaseDescriptorSupplier {
    AuthServiceFileDescriptorSupplier() {}
  }

  private static final class AuthServiceMethodDescriptorSupplier
      extends AuthServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    AuthServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (AuthServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AuthServiceFileDescriptorSupplier())
              .addMethod(getSignInMethod())
              .addMethod(getChangePasswordMethod())
              .addMethod(getRequestResetMethod())
              .addMethod(getSubmitResetMethod())
              .addMethod(getSignOutMethod())
              .addMethod(getVerifySessionMethod())
              .addMethod(getListSessionsMethod())
              .addMethod(getRevokeSessionMethod())
              .addMethod(getSignOutEverywhereMethod())
              .build();
        }
      }
    }
    return result;
  }
}
