package dev.passgate.admin.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AdminService manages users, their sessions, API keys and tenants, and
 * streams the security events passgate records.
 * Every call must carry, in the `x-api-key` metadata entry, an API key with
 * the `admin` scope; any other key is answered `PERMISSION_DENIED`
 * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
 * key of the `default` tenant, which may name any tenant.
 * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
 * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
 * value name, a `google.rpc.BadRequest` for invalid input and a
 * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
 * exist (`NOT_FOUND`).
 * Every call that changes something is recorded as an event (see
 * `WatchEvents`).
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class AdminServiceGrpc {

  private AdminServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "passgate.admin.v1.AdminService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateUserRequest,
      dev.passgate.admin.v1.CreateUserResponse> getCreateUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateUser",
      requestType = dev.passgate.admin.v1.CreateUserRequest.class,
      responseType = dev.passgate.admin.v1.CreateUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateUserRequest,
      dev.passgate.admin.v1.CreateUserResponse> getCreateUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateUserRequest, dev.passgate.admin.v1.CreateUserResponse> getCreateUserMethod;
    if ((getCreateUserMethod = AdminServiceGrpc.getCreateUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateUserMethod = AdminServiceGrpc.getCreateUserMethod) == null) {
          AdminServiceGrpc.getCreateUserMethod = getCreateUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.CreateUserRequest, dev.passgate.admin.v1.CreateUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateUser"))
              .build();
        }
      }
    }
    return getCreateUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.GetUserRequest,
      dev.passgate.admin.v1.GetUserResponse> getGetUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetUser",
      requestType = dev.passgate.admin.v1.GetUserRequest.class,
      responseType = dev.passgate.admin.v1.GetUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.GetUserRequest,
      dev.passgate.admin.v1.GetUserResponse> getGetUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.GetUserRequest, dev.passgate.admin.v1.GetUserResponse> getGetUserMethod;
    if ((getGetUserMethod = AdminServiceGrpc.getGetUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getGetUserMethod = AdminServiceGrpc.getGetUserMethod) == null) {
          AdminServiceGrpc.getGetUserMethod = getGetUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.GetUserRequest, dev.passgate.admin.v1.GetUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.GetUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.GetUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("GetUser"))
              .build();
        }
      }
    }
    return getGetUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.FindUserRequest,
      dev.passgate.admin.v1.FindUserResponse> getFindUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "FindUser",
      requestType = dev.passgate.admin.v1.FindUserRequest.class,
      responseType = dev.passgate.admin.v1.FindUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.FindUserRequest,
      dev.passgate.admin.v1.FindUserResponse> getFindUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.FindUserRequest, dev.passgate.admin.v1.FindUserResponse> getFindUserMethod;
    if ((getFindUserMethod = AdminServiceGrpc.getFindUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getFindUserMethod = AdminServiceGrpc.getFindUserMethod) == null) {
          AdminServiceGrpc.getFindUserMethod = getFindUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.FindUserRequest, dev.passgate.admin.v1.FindUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "FindUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.FindUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.FindUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("FindUser"))
              .build();
        }
      }
    }
    return getFindUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUsersRequest,
      dev.passgate.admin.v1.ListUsersResponse> getListUsersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListUsers",
      requestType = dev.passgate.admin.v1.ListUsersRequest.class,
      responseType = dev.passgate.admin.v1.ListUsersResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUsersRequest,
      dev.passgate.admin.v1.ListUsersResponse> getListUsersMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUsersRequest, dev.passgate.admin.v1.ListUsersResponse> getListUsersMethod;
    if ((getListUsersMethod = AdminServiceGrpc.getListUsersMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListUsersMethod = AdminServiceGrpc.getListUsersMethod) == null) {
          AdminServiceGrpc.getListUsersMethod = getListUsersMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.ListUsersRequest, dev.passgate.admin.v1.ListUsersResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListUsers"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListUsersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListUsersResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListUsers"))
              .build();
        }
      }
    }
    return getListUsersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisableUserRequest,
      dev.passgate.admin.v1.DisableUserResponse> getDisableUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DisableUser",
      requestType = dev.passgate.admin.v1.DisableUserRequest.class,
      responseType = dev.passgate.admin.v1.DisableUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisableUserRequest,
      dev.passgate.admin.v1.DisableUserResponse> getDisableUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisableUserRequest, dev.passgate.admin.v1.DisableUserResponse> getDisableUserMethod;
    if ((getDisableUserMethod = AdminServiceGrpc.getDisableUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDisableUserMethod = AdminServiceGrpc.getDisableUserMethod) == null) {
          AdminServiceGrpc.getDisableUserMethod = getDisableUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.DisableUserRequest, dev.passgate.admin.v1.DisableUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DisableUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DisableUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DisableUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DisableUser"))
              .build();
        }
      }
    }
    return getDisableUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.EnableUserRequest,
      dev.passgate.admin.v1.EnableUserResponse> getEnableUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EnableUser",
      requestType = dev.passgate.admin.v1.EnableUserRequest.class,
      responseType = dev.passgate.admin.v1.EnableUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.EnableUserRequest,
      dev.passgate.admin.v1.EnableUserResponse> getEnableUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.EnableUserRequest, dev.passgate.admin.v1.EnableUserResponse> getEnableUserMethod;
    if ((getEnableUserMethod = AdminServiceGrpc.getEnableUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getEnableUserMethod = AdminServiceGrpc.getEnableUserMethod) == null) {
          AdminServiceGrpc.getEnableUserMethod = getEnableUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.EnableUserRequest, dev.passgate.admin.v1.EnableUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EnableUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.EnableUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.EnableUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("EnableUser"))
              .build();
        }
      }
    }
    return getEnableUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.SendResetEmailRequest,
      dev.passgate.admin.v1.SendResetEmailResponse> getSendResetEmailMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SendResetEmail",
      requestType = dev.passgate.admin.v1.SendResetEmailRequest.class,
      responseType = dev.passgate.admin.v1.SendResetEmailResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.SendResetEmailRequest,
      dev.passgate.admin.v1.SendResetEmailResponse> getSendResetEmailMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.SendResetEmailRequest, dev.passgate.admin.v1.SendResetEmailResponse> getSendResetEmailMethod;
    if ((getSendResetEmailMethod = AdminServiceGrpc.getSendResetEmailMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getSendResetEmailMethod = AdminServiceGrpc.getSendResetEmailMethod) == null) {
          AdminServiceGrpc.getSendResetEmailMethod = getSendResetEmailMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.SendResetEmailRequest, dev.passgate.admin.v1.SendResetEmailResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SendResetEmail"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.SendResetEmailRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.SendResetEmailResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("SendResetEmail"))
              .build();
        }
      }
    }
    return getSendResetEmailMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.DeleteUserRequest,
      dev.passgate.admin.v1.DeleteUserResponse> getDeleteUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteUser",
      requestType = dev.passgate.admin.v1.DeleteUserRequest.class,
      responseType = dev.passgate.admin.v1.DeleteUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.DeleteUserRequest,
      dev.passgate.admin.v1.DeleteUserResponse> getDeleteUserMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.DeleteUserRequest, dev.passgate.admin.v1.DeleteUserResponse> getDeleteUserMethod;
    if ((getDeleteUserMethod = AdminServiceGrpc.getDeleteUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteUserMethod = AdminServiceGrpc.getDeleteUserMethod) == null) {
          AdminServiceGrpc.getDeleteUserMethod = getDeleteUserMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.DeleteUserRequest, dev.passgate.admin.v1.DeleteUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DeleteUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DeleteUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteUser"))
              .build();
        }
      }
    }
    return getDeleteUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUserSessionsRequest,
      dev.passgate.admin.v1.ListUserSessionsResponse> getListUserSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListUserSessions",
      requestType = dev.passgate.admin.v1.ListUserSessionsRequest.class,
      responseType = dev.passgate.admin.v1.ListUserSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUserSessionsRequest,
      dev.passgate.admin.v1.ListUserSessionsResponse> getListUserSessionsMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListUserSessionsRequest, dev.passgate.admin.v1.ListUserSessionsResponse> getListUserSessionsMethod;
    if ((getListUserSessionsMethod = AdminServiceGrpc.getListUserSessionsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListUserSessionsMethod = AdminServiceGrpc.getListUserSessionsMethod) == null) {
          AdminServiceGrpc.getListUserSessionsMethod = getListUserSessionsMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.ListUserSessionsRequest, dev.passgate.admin.v1.ListUserSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListUserSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListUserSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListUserSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListUserSessions"))
              .build();
        }
      }
    }
    return getListUserSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeUserSessionRequest,
      dev.passgate.admin.v1.RevokeUserSessionResponse> getRevokeUserSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeUserSession",
      requestType = dev.passgate.admin.v1.RevokeUserSessionRequest.class,
      responseType = dev.passgate.admin.v1.RevokeUserSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeUserSessionRequest,
      dev.passgate.admin.v1.RevokeUserSessionResponse> getRevokeUserSessionMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeUserSessionRequest, dev.passgate.admin.v1.RevokeUserSessionResponse> getRevokeUserSessionMethod;
    if ((getRevokeUserSessionMethod = AdminServiceGrpc.getRevokeUserSessionMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRevokeUserSessionMethod = AdminServiceGrpc.getRevokeUserSessionMethod) == null) {
          AdminServiceGrpc.getRevokeUserSessionMethod = getRevokeUserSessionMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.RevokeUserSessionRequest, dev.passgate.admin.v1.RevokeUserSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeUserSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeUserSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeUserSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RevokeUserSession"))
              .build();
        }
      }
    }
    return getRevokeUserSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeAllUserSessionsRequest,
      dev.passgate.admin.v1.RevokeAllUserSessionsResponse> getRevokeAllUserSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeAllUserSessions",
      requestType = dev.passgate.admin.v1.RevokeAllUserSessionsRequest.class,
      responseType = dev.passgate.admin.v1.RevokeAllUserSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeAllUserSessionsRequest,
      dev.passgate.admin.v1.RevokeAllUserSessionsResponse> getRevokeAllUserSessionsMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeAllUserSessionsRequest, dev.passgate.admin.v1.RevokeAllUserSessionsResponse> getRevokeAllUserSessionsMethod;
    if ((getRevokeAllUserSessionsMethod = AdminServiceGrpc.getRevokeAllUserSessionsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRevokeAllUserSessionsMethod = AdminServiceGrpc.getRevokeAllUserSessionsMethod) == null) {
          AdminServiceGrpc.getRevokeAllUserSessionsMethod = getRevokeAllUserSessionsMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.RevokeAllUserSessionsRequest, dev.passgate.admin.v1.RevokeAllUserSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeAllUserSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeAllUserSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeAllUserSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RevokeAllUserSessions"))
              .build();
        }
      }
    }
    return getRevokeAllUserSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateApiKeyRequest,
      dev.passgate.admin.v1.CreateApiKeyResponse> getCreateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateApiKey",
      requestType = dev.passgate.admin.v1.CreateApiKeyRequest.class,
      responseType = dev.passgate.admin.v1.CreateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateApiKeyRequest,
      dev.passgate.admin.v1.CreateApiKeyResponse> getCreateApiKeyMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateApiKeyRequest, dev.passgate.admin.v1.CreateApiKeyResponse> getCreateApiKeyMethod;
    if ((getCreateApiKeyMethod = AdminServiceGrpc.getCreateApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateApiKeyMethod = AdminServiceGrpc.getCreateApiKeyMethod) == null) {
          AdminServiceGrpc.getCreateApiKeyMethod = getCreateApiKeyMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.CreateApiKeyRequest, dev.passgate.admin.v1.CreateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateApiKey"))
              .build();
        }
      }
    }
    return getCreateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListApiKeysRequest,
      dev.passgate.admin.v1.ListApiKeysResponse> getListApiKeysMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListApiKeys",
      requestType = dev.passgate.admin.v1.ListApiKeysRequest.class,
      responseType = dev.passgate.admin.v1.ListApiKeysResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListApiKeysRequest,
      dev.passgate.admin.v1.ListApiKeysResponse> getListApiKeysMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListApiKeysRequest, dev.passgate.admin.v1.ListApiKeysResponse> getListApiKeysMethod;
    if ((getListApiKeysMethod = AdminServiceGrpc.getListApiKeysMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListApiKeysMethod = AdminServiceGrpc.getListApiKeysMethod) == null) {
          AdminServiceGrpc.getListApiKeysMethod = getListApiKeysMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.ListApiKeysRequest, dev.passgate.admin.v1.ListApiKeysResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListApiKeys"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListApiKeysRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListApiKeysResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListApiKeys"))
              .build();
        }
      }
    }
    return getListApiKeysMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeApiKeyRequest,
      dev.passgate.admin.v1.RevokeApiKeyResponse> getRevokeApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeApiKey",
      requestType = dev.passgate.admin.v1.RevokeApiKeyRequest.class,
      responseType = dev.passgate.admin.v1.RevokeApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeApiKeyRequest,
      dev.passgate.admin.v1.RevokeApiKeyResponse> getRevokeApiKeyMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.RevokeApiKeyRequest, dev.passgate.admin.v1.RevokeApiKeyResponse> getRevokeApiKeyMethod;
    if ((getRevokeApiKeyMethod = AdminServiceGrpc.getRevokeApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRevokeApiKeyMethod = AdminServiceGrpc.getRevokeApiKeyMethod) == null) {
          AdminServiceGrpc.getRevokeApiKeyMethod = getRevokeApiKeyMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.RevokeApiKeyRequest, dev.passgate.admin.v1.RevokeApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RevokeApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RevokeApiKey"))
              .build();
        }
      }
    }
    return getRevokeApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.RotateApiKeyRequest,
      dev.passgate.admin.v1.RotateApiKeyResponse> getRotateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RotateApiKey",
      requestType = dev.passgate.admin.v1.RotateApiKeyRequest.class,
      responseType = dev.passgate.admin.v1.RotateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.RotateApiKeyRequest,
      dev.passgate.admin.v1.RotateApiKeyResponse> getRotateApiKeyMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.RotateApiKeyRequest, dev.passgate.admin.v1.RotateApiKeyResponse> getRotateApiKeyMethod;
    if ((getRotateApiKeyMethod = AdminServiceGrpc.getRotateApiKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRotateApiKeyMethod = AdminServiceGrpc.getRotateApiKeyMethod) == null) {
          AdminServiceGrpc.getRotateApiKeyMethod = getRotateApiKeyMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.RotateApiKeyRequest, dev.passgate.admin.v1.RotateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RotateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RotateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.RotateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RotateApiKey"))
              .build();
        }
      }
    }
    return getRotateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateTenantRequest,
      dev.passgate.admin.v1.CreateTenantResponse> getCreateTenantMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateTenant",
      requestType = dev.passgate.admin.v1.CreateTenantRequest.class,
      responseType = dev.passgate.admin.v1.CreateTenantResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateTenantRequest,
      dev.passgate.admin.v1.CreateTenantResponse> getCreateTenantMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.CreateTenantRequest, dev.passgate.admin.v1.CreateTenantResponse> getCreateTenantMethod;
    if ((getCreateTenantMethod = AdminServiceGrpc.getCreateTenantMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateTenantMethod = AdminServiceGrpc.getCreateTenantMethod) == null) {
          AdminServiceGrpc.getCreateTenantMethod = getCreateTenantMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.CreateTenantRequest, dev.passgate.admin.v1.CreateTenantResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateTenant"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateTenantRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.CreateTenantResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateTenant"))
              .build();
        }
      }
    }
    return getCreateTenantMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListTenantsRequest,
      dev.passgate.admin.v1.ListTenantsResponse> getListTenantsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListTenants",
      requestType = dev.passgate.admin.v1.ListTenantsRequest.class,
      responseType = dev.passgate.admin.v1.ListTenantsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListTenantsRequest,
      dev.passgate.admin.v1.ListTenantsResponse> getListTenantsMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListTenantsRequest, dev.passgate.admin.v1.ListTenantsResponse> getListTenantsMethod;
    if ((getListTenantsMethod = AdminServiceGrpc.getListTenantsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListTenantsMethod = AdminServiceGrpc.getListTenantsMethod) == null) {
          AdminServiceGrpc.getListTenantsMethod = getListTenantsMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.ListTenantsRequest, dev.passgate.admin.v1.ListTenantsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListTenants"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListTenantsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListTenantsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListTenants"))
              .build();
        }
      }
    }
    return getListTenantsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.AllowResetUrlRequest,
      dev.passgate.admin.v1.AllowResetUrlResponse> getAllowResetUrlMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AllowResetUrl",
      requestType = dev.passgate.admin.v1.AllowResetUrlRequest.class,
      responseType = dev.passgate.admin.v1.AllowResetUrlResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.AllowResetUrlRequest,
      dev.passgate.admin.v1.AllowResetUrlResponse> getAllowResetUrlMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.AllowResetUrlRequest, dev.passgate.admin.v1.AllowResetUrlResponse> getAllowResetUrlMethod;
    if ((getAllowResetUrlMethod = AdminServiceGrpc.getAllowResetUrlMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getAllowResetUrlMethod = AdminServiceGrpc.getAllowResetUrlMethod) == null) {
          AdminServiceGrpc.getAllowResetUrlMethod = getAllowResetUrlMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.AllowResetUrlRequest, dev.passgate.admin.v1.AllowResetUrlResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AllowResetUrl"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.AllowResetUrlRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.AllowResetUrlResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("AllowResetUrl"))
              .build();
        }
      }
    }
    return getAllowResetUrlMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisallowResetUrlRequest,
      dev.passgate.admin.v1.DisallowResetUrlResponse> getDisallowResetUrlMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DisallowResetUrl",
      requestType = dev.passgate.admin.v1.DisallowResetUrlRequest.class,
      responseType = dev.passgate.admin.v1.DisallowResetUrlResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisallowResetUrlRequest,
      dev.passgate.admin.v1.DisallowResetUrlResponse> getDisallowResetUrlMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.DisallowResetUrlRequest, dev.passgate.admin.v1.DisallowResetUrlResponse> getDisallowResetUrlMethod;
    if ((getDisallowResetUrlMethod = AdminServiceGrpc.getDisallowResetUrlMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDisallowResetUrlMethod = AdminServiceGrpc.getDisallowResetUrlMethod) == null) {
          AdminServiceGrpc.getDisallowResetUrlMethod = getDisallowResetUrlMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.DisallowResetUrlRequest, dev.passgate.admin.v1.DisallowResetUrlResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DisallowResetUrl"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DisallowResetUrlRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.DisallowResetUrlResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DisallowResetUrl"))
              .build();
        }
      }
    }
    return getDisallowResetUrlMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.WatchEventsRequest,
      dev.passgate.admin.v1.WatchEventsResponse> getWatchEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchEvents",
      requestType = dev.passgate.admin.v1.WatchEventsRequest.class,
      responseType = dev.passgate.admin.v1.WatchEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.WatchEventsRequest,
      dev.passgate.admin.v1.WatchEventsResponse> getWatchEventsMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.WatchEventsRequest, dev.passgate.admin.v1.WatchEventsResponse> getWatchEventsMethod;
    if ((getWatchEventsMethod = AdminServiceGrpc.getWatchEventsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getWatchEventsMethod = AdminServiceGrpc.getWatchEventsMethod) == null) {
          AdminServiceGrpc.getWatchEventsMethod = getWatchEventsMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.WatchEventsRequest, dev.passgate.admin.v1.WatchEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.WatchEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.WatchEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("WatchEvents"))
              .build();
        }
      }
    }
    return getWatchEventsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListWebhookDeliveriesRequest,
      dev.passgate.admin.v1.ListWebhookDeliveriesResponse> getListWebhookDeliveriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListWebhookDeliveries",
      requestType = dev.passgate.admin.v1.ListWebhookDeliveriesRequest.class,
      responseType = dev.passgate.admin.v1.ListWebhookDeliveriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListWebhookDeliveriesRequest,
      dev.passgate.admin.v1.ListWebhookDeliveriesResponse> getListWebhookDeliveriesMethod() {
    io.grpc.MethodDescriptor<dev.passgate.admin.v1.ListWebhookDeliveriesRequest, dev.passgate.admin.v1.ListWebhookDeliveriesResponse> getListWebhookDeliveriesMethod;
    if ((getListWebhookDeliveriesMethod = AdminServiceGrpc.getListWebhookDeliveriesMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListWebhookDeliveriesMethod = AdminServiceGrpc.getListWebhookDeliveriesMethod) == null) {
          AdminServiceGrpc.getListWebhookDeliveriesMethod = getListWebhookDeliveriesMethod =
              io.grpc.MethodDescriptor.<dev.passgate.admin.v1.ListWebhookDeliveriesRequest, dev.passgate.admin.v1.ListWebhookDeliveriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListWebhookDeliveries"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListWebhookDeliveriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.passgate.admin.v1.ListWebhookDeliveriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListWebhookDeliveries"))
              .build();
        }
      }
    }
    return getListWebhookDeliveriesMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AdminServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub>() {
        @java.lang.Override
        public AdminServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceStub(channel, callOptions);
        }
      };
    return AdminServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static AdminServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub>() {
        @java.lang.Override
        public AdminServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return AdminServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AdminServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub>() {
        @java.lang.Override
        public AdminServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingStub(channel, callOptions);
        }
      };
    return AdminServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AdminServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub>() {
        @java.lang.Override
        public AdminServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceFutureStub(channel, callOptions);
        }
      };
    return AdminServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * CreateUser adds a user with a password, or with the hash of one imported
     * from another system (bcrypt, argon2id, scrypt or PBKDF2-SHA256 in their
     * standard encodings; anything but bcrypt is replaced by bcrypt at the
     * user's next successful sign-in).
     * </pre>
     */
    default void createUser(dev.passgate.admin.v1.CreateUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetUser returns one user by id.
     * </pre>
     */
    default void getUser(dev.passgate.admin.v1.GetUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.GetUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * FindUser returns the user with an e-mail address, username or search key.
     * </pre>
     */
    default void findUser(dev.passgate.admin.v1.FindUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.FindUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFindUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListUsers pages through the users of a tenant, oldest first.
     * </pre>
     */
    default void listUsers(dev.passgate.admin.v1.ListUsersRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUsersResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListUsersMethod(), responseObserver);
    }

    /**
     * <pre>
     * DisableUser stops a user from signing in and revokes every session of
     * theirs in the same transaction.
     * </pre>
     */
    default void disableUser(dev.passgate.admin.v1.DisableUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisableUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDisableUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * EnableUser lets a disabled user sign in again.
     * </pre>
     */
    default void enableUser(dev.passgate.admin.v1.EnableUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.EnableUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnableUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * SendResetEmail e-mails the user a password-reset link, as RequestReset
     * does, without the per-account cap.
     * </pre>
     */
    default void sendResetEmail(dev.passgate.admin.v1.SendResetEmailRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.SendResetEmailResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSendResetEmailMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteUser erases a user and everything passgate holds of them: sessions,
     * reset tokens, and the content of mail not yet sent.
     * </pre>
     */
    default void deleteUser(dev.passgate.admin.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListUserSessions lists a user's live sessions, newest first.
     * </pre>
     */
    default void listUserSessions(dev.passgate.admin.v1.ListUserSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUserSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListUserSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeUserSession ends one session of a user.
     * </pre>
     */
    default void revokeUserSession(dev.passgate.admin.v1.RevokeUserSessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeUserSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeUserSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeAllUserSessions ends every session of a user.
     * </pre>
     */
    default void revokeAllUserSessions(dev.passgate.admin.v1.RevokeAllUserSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeAllUserSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeAllUserSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey makes a key; its secret is returned only here.
     * </pre>
     */
    default void createApiKey(dev.passgate.admin.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys lists the keys of a tenant, revoked ones included.
     * </pre>
     */
    default void listApiKeys(dev.passgate.admin.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListApiKeysMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key at the next call in every process.
     * </pre>
     */
    default void revokeApiKey(dev.passgate.admin.v1.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * RotateApiKey makes a successor with the same tenant, scopes and budget;
     * both work for the overlap the caller chooses, then the old key is revoked.
     * </pre>
     */
    default void rotateApiKey(dev.passgate.admin.v1.RotateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RotateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRotateApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateTenant adds a tenant.
     * </pre>
     */
    default void createTenant(dev.passgate.admin.v1.CreateTenantRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateTenantResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateTenantMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListTenants lists every tenant the caller may see.
     * </pre>
     */
    default void listTenants(dev.passgate.admin.v1.ListTenantsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListTenantsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListTenantsMethod(), responseObserver);
    }

    /**
     * <pre>
     * AllowResetUrl adds a base URL to a tenant's reset-link allow-list.
     * </pre>
     */
    default void allowResetUrl(dev.passgate.admin.v1.AllowResetUrlRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.AllowResetUrlResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAllowResetUrlMethod(), responseObserver);
    }

    /**
     * <pre>
     * DisallowResetUrl removes a base URL from a tenant's reset-link allow-list.
     * </pre>
     */
    default void disallowResetUrl(dev.passgate.admin.v1.DisallowResetUrlRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisallowResetUrlResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDisallowResetUrlMethod(), responseObserver);
    }

    /**
     * <pre>
     * WatchEvents streams security events in the order they were recorded,
     * starting after `after_event_id` (or with the oldest kept), then each new
     * one as it happens. A watcher that reconnects with the id of the last
     * event it saw misses none and sees none twice.
     * </pre>
     */
    default void watchEvents(dev.passgate.admin.v1.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchEventsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListWebhookDeliveries shows the delivery state of events to the
     * configured webhook endpoints, newest first.
     * </pre>
     */
    default void listWebhookDeliveries(dev.passgate.admin.v1.ListWebhookDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListWebhookDeliveriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListWebhookDeliveriesMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service AdminService.
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public static abstract class AdminServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return AdminServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public static final class AdminServiceStub
      extends io.grpc.stub.AbstractAsyncStub<AdminServiceStub> {
    private AdminServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateUser adds a user with a password, or with the hash of one imported
     * from another system (bcrypt, argon2id, scrypt or PBKDF2-SHA256 in their
     * standard encodings; anything but bcrypt is replaced by bcrypt at the
     * user's next successful sign-in).
     * </pre>
     */
    public void createUser(dev.passgate.admin.v1.CreateUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetUser returns one user by id.
     * </pre>
     */
    public void getUser(dev.passgate.admin.v1.GetUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.GetUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * FindUser returns the user with an e-mail address, username or search key.
     * </pre>
     */
    public void findUser(dev.passgate.admin.v1.FindUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.FindUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFindUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListUsers pages through the users of a tenant, oldest first.
     * </pre>
     */
    public void listUsers(dev.passgate.admin.v1.ListUsersRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUsersResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListUsersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DisableUser stops a user from signing in and revokes every session of
     * theirs in the same transaction.
     * </pre>
     */
    public void disableUser(dev.passgate.admin.v1.DisableUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisableUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDisableUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * EnableUser lets a disabled user sign in again.
     * </pre>
     */
    public void enableUser(dev.passgate.admin.v1.EnableUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.EnableUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnableUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SendResetEmail e-mails the user a password-reset link, as RequestReset
     * does, without the per-account cap.
     * </pre>
     */
    public void sendResetEmail(dev.passgate.admin.v1.SendResetEmailRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.SendResetEmailResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSendResetEmailMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteUser erases a user and everything passgate holds of them: sessions,
     * reset tokens, and the content of mail not yet sent.
     * </pre>
     */
    public void deleteUser(dev.passgate.admin.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListUserSessions lists a user's live sessions, newest first.
     * </pre>
     */
    public void listUserSessions(dev.passgate.admin.v1.ListUserSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUserSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListUserSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeUserSession ends one session of a user.
     * </pre>
     */
    public void revokeUserSession(dev.passgate.admin.v1.RevokeUserSessionRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeUserSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeUserSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeAllUserSessions ends every session of a user.
     * </pre>
     */
    public void revokeAllUserSessions(dev.passgate.admin.v1.RevokeAllUserSessionsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeAllUserSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeAllUserSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey makes a key; its secret is returned only here.
     * </pre>
     */
    public void createApiKey(dev.passgate.admin.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys lists the keys of a tenant, revoked ones included.
     * </pre>
     */
    public void listApiKeys(dev.passgate.admin.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key at the next call in every process.
     * </pre>
     */
    public void revokeApiKey(dev.passgate.admin.v1.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RotateApiKey makes a successor with the same tenant, scopes and budget;
     * both work for the overlap the caller chooses, then the old key is revoked.
     * </pre>
     */
    public void rotateApiKey(dev.passgate.admin.v1.RotateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RotateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRotateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateTenant adds a tenant.
     * </pre>
     */
    public void createTenant(dev.passgate.admin.v1.CreateTenantRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateTenantResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateTenantMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListTenants lists every tenant the caller may see.
     * </pre>
     */
    public void listTenants(dev.passgate.admin.v1.ListTenantsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListTenantsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListTenantsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * AllowResetUrl adds a base URL to a tenant's reset-link allow-list.
     * </pre>
     */
    public void allowResetUrl(dev.passgate.admin.v1.AllowResetUrlRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.AllowResetUrlResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAllowResetUrlMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DisallowResetUrl removes a base URL from a tenant's reset-link allow-list.
     * </pre>
     */
    public void disallowResetUrl(dev.passgate.admin.v1.DisallowResetUrlRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisallowResetUrlResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDisallowResetUrlMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WatchEvents streams security events in the order they were recorded,
     * starting after `after_event_id` (or with the oldest kept), then each new
     * one as it happens. A watcher that reconnects with the id of the last
     * event it saw misses none and sees none twice.
     * </pre>
     */
    public void watchEvents(dev.passgate.admin.v1.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchEventsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListWebhookDeliveries shows the delivery state of events to the
     * configured webhook endpoints, newest first.
     * </pre>
     */
    public void listWebhookDeliveries(dev.passgate.admin.v1.ListWebhookDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListWebhookDeliveriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListWebhookDeliveriesMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public static final class AdminServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingV2Stub> {
    private AdminServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateUser adds a user with a password, or with the hash of one imported
     * from another system (bcrypt, argon2id, scrypt or PBKDF2-SHA256 in their
     * standard encodings; anything but bcrypt is replaced by bcrypt at the
     * user's next successful sign-in).
     * </pre>
     */
    public dev.passgate.admin.v1.CreateUserResponse createUser(dev.passgate.admin.v1.CreateUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetUser returns one user by id.
     * </pre>
     */
    public dev.passgate.admin.v1.GetUserResponse getUser(dev.passgate.admin.v1.GetUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * FindUser returns the user with an e-mail address, username or search key.
     * </pre>
     */
    public dev.passgate.admin.v1.FindUserResponse findUser(dev.passgate.admin.v1.FindUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFindUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUsers pages through the users of a tenant, oldest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListUsersResponse listUsers(dev.passgate.admin.v1.ListUsersRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListUsersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableUser stops a user from signing in and revokes every session of
     * theirs in the same transaction.
     * </pre>
     */
    public dev.passgate.admin.v1.DisableUserResponse disableUser(dev.passgate.admin.v1.DisableUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDisableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableUser lets a disabled user sign in again.
     * </pre>
     */
    public dev.passgate.admin.v1.EnableUserResponse enableUser(dev.passgate.admin.v1.EnableUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEnableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SendResetEmail e-mails the user a password-reset link, as RequestReset
     * does, without the per-account cap.
     * </pre>
     */
    public dev.passgate.admin.v1.SendResetEmailResponse sendResetEmail(dev.passgate.admin.v1.SendResetEmailRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSendResetEmailMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteUser erases a user and everything passgate holds of them: sessions,
     * reset tokens, and the content of mail not yet sent.
     * </pre>
     */
    public dev.passgate.admin.v1.DeleteUserResponse deleteUser(dev.passgate.admin.v1.DeleteUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUserSessions lists a user's live sessions, newest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListUserSessionsResponse listUserSessions(dev.passgate.admin.v1.ListUserSessionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeUserSession ends one session of a user.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeUserSessionResponse revokeUserSession(dev.passgate.admin.v1.RevokeUserSessionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeUserSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeAllUserSessions ends every session of a user.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeAllUserSessionsResponse revokeAllUserSessions(dev.passgate.admin.v1.RevokeAllUserSessionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeAllUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key; its secret is returned only here.
     * </pre>
     */
    public dev.passgate.admin.v1.CreateApiKeyResponse createApiKey(dev.passgate.admin.v1.CreateApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListApiKeys lists the keys of a tenant, revoked ones included.
     * </pre>
     */
    public dev.passgate.admin.v1.ListApiKeysResponse listApiKeys(dev.passgate.admin.v1.ListApiKeysRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key at the next call in every process.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeApiKeyResponse revokeApiKey(dev.passgate.admin.v1.RevokeApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RotateApiKey makes a successor with the same tenant, scopes and budget;
     * both work for the overlap the caller chooses, then the old key is revoked.
     * </pre>
     */
    public dev.passgate.admin.v1.RotateApiKeyResponse rotateApiKey(dev.passgate.admin.v1.RotateApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRotateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateTenant adds a tenant.
     * </pre>
     */
    public dev.passgate.admin.v1.CreateTenantResponse createTenant(dev.passgate.admin.v1.CreateTenantRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTenants lists every tenant the caller may see.
     * </pre>
     */
    public dev.passgate.admin.v1.ListTenantsResponse listTenants(dev.passgate.admin.v1.ListTenantsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListTenantsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AllowResetUrl adds a base URL to a tenant's reset-link allow-list.
     * </pre>
     */
    public dev.passgate.admin.v1.AllowResetUrlResponse allowResetUrl(dev.passgate.admin.v1.AllowResetUrlRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAllowResetUrlMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisallowResetUrl removes a base URL from a tenant's reset-link allow-list.
     * </pre>
     */
    public dev.passgate.admin.v1.DisallowResetUrlResponse disallowResetUrl(dev.passgate.admin.v1.DisallowResetUrlRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDisallowResetUrlMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchEvents streams security events in the order they were recorded,
     * starting after `after_event_id` (or with the oldest kept), then each new
     * one as it happens. A watcher that reconnects with the id of the last
     * event it saw misses none and sees none twice.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, dev.passgate.admin.v1.WatchEventsResponse>
        watchEvents(dev.passgate.admin.v1.WatchEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getWatchEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListWebhookDeliveries shows the delivery state of events to the
     * configured webhook endpoints, newest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListWebhookDeliveriesResponse listWebhookDeliveries(dev.passgate.admin.v1.ListWebhookDeliveriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListWebhookDeliveriesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public static final class AdminServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingStub> {
    private AdminServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateUser adds a user with a password, or with the hash of one imported
     * from another system (bcrypt, argon2id, scrypt or PBKDF2-SHA256 in their
     * standard encodings; anything but bcrypt is replaced by bcrypt at the
     * user's next successful sign-in).
     * </pre>
     */
    public dev.passgate.admin.v1.CreateUserResponse createUser(dev.passgate.admin.v1.CreateUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetUser returns one user by id.
     * </pre>
     */
    public dev.passgate.admin.v1.GetUserResponse getUser(dev.passgate.admin.v1.GetUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * FindUser returns the user with an e-mail address, username or search key.
     * </pre>
     */
    public dev.passgate.admin.v1.FindUserResponse findUser(dev.passgate.admin.v1.FindUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFindUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUsers pages through the users of a tenant, oldest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListUsersResponse listUsers(dev.passgate.admin.v1.ListUsersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListUsersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableUser stops a user from signing in and revokes every session of
     * theirs in the same transaction.
     * </pre>
     */
    public dev.passgate.admin.v1.DisableUserResponse disableUser(dev.passgate.admin.v1.DisableUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDisableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableUser lets a disabled user sign in again.
     * </pre>
     */
    public dev.passgate.admin.v1.EnableUserResponse enableUser(dev.passgate.admin.v1.EnableUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SendResetEmail e-mails the user a password-reset link, as RequestReset
     * does, without the per-account cap.
     * </pre>
     */
    public dev.passgate.admin.v1.SendResetEmailResponse sendResetEmail(dev.passgate.admin.v1.SendResetEmailRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSendResetEmailMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteUser erases a user and everything passgate holds of them: sessions,
     * reset tokens, and the content of mail not yet sent.
     * </pre>
     */
    public dev.passgate.admin.v1.DeleteUserResponse deleteUser(dev.passgate.admin.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUserSessions lists a user's live sessions, newest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListUserSessionsResponse listUserSessions(dev.passgate.admin.v1.ListUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeUserSession ends one session of a user.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeUserSessionResponse revokeUserSession(dev.passgate.admin.v1.RevokeUserSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeUserSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeAllUserSessions ends every session of a user.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeAllUserSessionsResponse revokeAllUserSessions(dev.passgate.admin.v1.RevokeAllUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeAllUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key; its secret is returned only here.
     * </pre>
     */
    public dev.passgate.admin.v1.CreateApiKeyResponse createApiKey(dev.passgate.admin.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListApiKeys lists the keys of a tenant, revoked ones included.
     * </pre>
     */
    public dev.passgate.admin.v1.ListApiKeysResponse listApiKeys(dev.passgate.admin.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key at the next call in every process.
     * </pre>
     */
    public dev.passgate.admin.v1.RevokeApiKeyResponse revokeApiKey(dev.passgate.admin.v1.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RotateApiKey makes a successor with the same tenant, scopes and budget;
     * both work for the overlap the caller chooses, then the old key is revoked.
     * </pre>
     */
    public dev.passgate.admin.v1.RotateApiKeyResponse rotateApiKey(dev.passgate.admin.v1.RotateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRotateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateTenant adds a tenant.
     * </pre>
     */
    public dev.passgate.admin.v1.CreateTenantResponse createTenant(dev.passgate.admin.v1.CreateTenantRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTenants lists every tenant the caller may see.
     * </pre>
     */
    public dev.passgate.admin.v1.ListTenantsResponse listTenants(dev.passgate.admin.v1.ListTenantsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListTenantsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AllowResetUrl adds a base URL to a tenant's reset-link allow-list.
     * </pre>
     */
    public dev.passgate.admin.v1.AllowResetUrlResponse allowResetUrl(dev.passgate.admin.v1.AllowResetUrlRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAllowResetUrlMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisallowResetUrl removes a base URL from a tenant's reset-link allow-list.
     * </pre>
     */
    public dev.passgate.admin.v1.DisallowResetUrlResponse disallowResetUrl(dev.passgate.admin.v1.DisallowResetUrlRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDisallowResetUrlMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchEvents streams security events in the order they were recorded,
     * starting after `after_event_id` (or with the oldest kept), then each new
     * one as it happens. A watcher that reconnects with the id of the last
     * event it saw misses none and sees none twice.
     * </pre>
     */
    public java.util.Iterator<dev.passgate.admin.v1.WatchEventsResponse> watchEvents(
        dev.passgate.admin.v1.WatchEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListWebhookDeliveries shows the delivery state of events to the
     * configured webhook endpoints, newest first.
     * </pre>
     */
    public dev.passgate.admin.v1.ListWebhookDeliveriesResponse listWebhookDeliveries(dev.passgate.admin.v1.ListWebhookDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListWebhookDeliveriesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service AdminService.
   * <pre>
   * AdminService manages users, their sessions, API keys and tenants, and
   * streams the security events passgate records.
   * Every call must carry, in the `x-api-key` metadata entry, an API key with
   * the `admin` scope; any other key is answered `PERMISSION_DENIED`
   * (`API_KEY_SCOPE`). An admin key acts within its own tenant only, except a
   * key of the `default` tenant, which may name any tenant.
   * Errors follow the same rich model as AuthService: one `google.rpc.ErrorInfo`
   * (domain `passgate.dev`) whose `reason` is a `passgate.auth.v1.ErrorReason`
   * value name, a `google.rpc.BadRequest` for invalid input and a
   * `google.rpc.ResourceInfo` for a user, session, key or tenant that does not
   * exist (`NOT_FOUND`).
   * Every call that changes something is recorded as an event (see
   * `WatchEvents`).
   * </pre>
   */
  public static final class AdminServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<AdminServiceFutureStub> {
    private AdminServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateUser adds a user with a password, or with the hash of one imported
     * from another system (bcrypt, argon2id, scrypt or PBKDF2-SHA256 in their
     * standard encodings; anything but bcrypt is replaced by bcrypt at the
     * user's next successful sign-in).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.CreateUserResponse> createUser(
        dev.passgate.admin.v1.CreateUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetUser returns one user by id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.GetUserResponse> getUser(
        dev.passgate.admin.v1.GetUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * FindUser returns the user with an e-mail address, username or search key.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.FindUserResponse> findUser(
        dev.passgate.admin.v1.FindUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFindUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListUsers pages through the users of a tenant, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.ListUsersResponse> listUsers(
        dev.passgate.admin.v1.ListUsersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListUsersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DisableUser stops a user from signing in and revokes every session of
     * theirs in the same transaction.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.DisableUserResponse> disableUser(
        dev.passgate.admin.v1.DisableUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDisableUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * EnableUser lets a disabled user sign in again.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.EnableUserResponse> enableUser(
        dev.passgate.admin.v1.EnableUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnableUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SendResetEmail e-mails the user a password-reset link, as RequestReset
     * does, without the per-account cap.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.SendResetEmailResponse> sendResetEmail(
        dev.passgate.admin.v1.SendResetEmailRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSendResetEmailMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteUser erases a user and everything passgate holds of them: sessions,
     * reset tokens, and the content of mail not yet sent.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.DeleteUserResponse> deleteUser(
        dev.passgate.admin.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListUserSessions lists a user's live sessions, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.ListUserSessionsResponse> listUserSessions(
        dev.passgate.admin.v1.ListUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListUserSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeUserSession ends one session of a user.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.RevokeUserSessionResponse> revokeUserSession(
        dev.passgate.admin.v1.RevokeUserSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeUserSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeAllUserSessions ends every session of a user.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.RevokeAllUserSessionsResponse> revokeAllUserSessions(
        dev.passgate.admin.v1.RevokeAllUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeAllUserSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateApiKey makes a key; its secret is returned only here.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.CreateApiKeyResponse> createApiKey(
        dev.passgate.admin.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListApiKeys lists the keys of a tenant, revoked ones included.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.ListApiKeysResponse> listApiKeys(
        dev.passgate.admin.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeApiKey ends a key at the next call in every process.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.RevokeApiKeyResponse> revokeApiKey(
        dev.passgate.admin.v1.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RotateApiKey makes a successor with the same tenant, scopes and budget;
     * both work for the overlap the caller chooses, then the old key is revoked.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.RotateApiKeyResponse> rotateApiKey(
        dev.passgate.admin.v1.RotateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRotateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateTenant adds a tenant.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.CreateTenantResponse> createTenant(
        dev.passgate.admin.v1.CreateTenantRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateTenantMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListTenants lists every tenant the caller may see.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.ListTenantsResponse> listTenants(
        dev.passgate.admin.v1.ListTenantsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListTenantsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * AllowResetUrl adds a base URL to a tenant's reset-link allow-list.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.AllowResetUrlResponse> allowResetUrl(
        dev.passgate.admin.v1.AllowResetUrlRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAllowResetUrlMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DisallowResetUrl removes a base URL from a tenant's reset-link allow-list.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.DisallowResetUrlResponse> disallowResetUrl(
        dev.passgate.admin.v1.DisallowResetUrlRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDisallowResetUrlMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListWebhookDeliveries shows the delivery state of events to the
     * configured webhook endpoints, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.passgate.admin.v1.ListWebhookDeliveriesResponse> listWebhookDeliveries(
        dev.passgate.admin.v1.ListWebhookDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListWebhookDeliveriesMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CREATE_USER = 0;
  private static final int METHODID_GET_USER = 1;
  private static final int METHODID_FIND_USER = 2;
  private static final int METHODID_LIST_USERS = 3;
  private static final int METHODID_DISABLE_USER = 4;
  private static final int METHODID_ENABLE_USER = 5;
  private static final int METHODID_SEND_RESET_EMAIL = 6;
  private static final int METHODID_DELETE_USER = 7;
  private static final int METHODID_LIST_USER_SESSIONS = 8;
  private static final int METHODID_REVOKE_USER_SESSION = 9;
  private static final int METHODID_REVOKE_ALL_USER_SESSIONS = 10;
  private static final int METHODID_CREATE_API_KEY = 11;
  private static final int METHODID_LIST_API_KEYS = 12;
  private static final int METHODID_REVOKE_API_KEY = 13;
  private static final int METHODID_ROTATE_API_KEY = 14;
  private static final int METHODID_CREATE_TENANT = 15;
  private static final int METHODID_LIST_TENANTS = 16;
  private static final int METHODID_ALLOW_RESET_URL = 17;
  private static final int METHODID_DISALLOW_RESET_URL = 18;
  private static final int METHODID_WATCH_EVENTS = 19;
  private static final int METHODID_LIST_WEBHOOK_DELIVERIES = 20;

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
        case METHODID_CREATE_USER:
          serviceImpl.createUser((dev.passgate.admin.v1.CreateUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateUserResponse>) responseObserver);
          break;
        case METHODID_GET_USER:
          serviceImpl.getUser((dev.passgate.admin.v1.GetUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.GetUserResponse>) responseObserver);
          break;
        case METHODID_FIND_USER:
          serviceImpl.findUser((dev.passgate.admin.v1.FindUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.FindUserResponse>) responseObserver);
          break;
        case METHODID_LIST_USERS:
          serviceImpl.listUsers((dev.passgate.admin.v1.ListUsersRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUsersResponse>) responseObserver);
          break;
        case METHODID_DISABLE_USER:
          serviceImpl.disableUser((dev.passgate.admin.v1.DisableUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisableUserResponse>) responseObserver);
          break;
        case METHODID_ENABLE_USER:
          serviceImpl.enableUser((dev.passgate.admin.v1.EnableUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.EnableUserResponse>) responseObserver);
          break;
        case METHODID_SEND_RESET_EMAIL:
          serviceImpl.sendResetEmail((dev.passgate.admin.v1.SendResetEmailRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.SendResetEmailResponse>) responseObserver);
          break;
        case METHODID_DELETE_USER:
          serviceImpl.deleteUser((dev.passgate.admin.v1.DeleteUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DeleteUserResponse>) responseObserver);
          break;
        case METHODID_LIST_USER_SESSIONS:
          serviceImpl.listUserSessions((dev.passgate.admin.v1.ListUserSessionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListUserSessionsResponse>) responseObserver);
          break;
        case METHODID_REVOKE_USER_SESSION:
          serviceImpl.revokeUserSession((dev.passgate.admin.v1.RevokeUserSessionRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeUserSessionResponse>) responseObserver);
          break;
        case METHODID_REVOKE_ALL_USER_SESSIONS:
          serviceImpl.revokeAllUserSessions((dev.passgate.admin.v1.RevokeAllUserSessionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeAllUserSessionsResponse>) responseObserver);
          break;
        case METHODID_CREATE_API_KEY:
          serviceImpl.createApiKey((dev.passgate.admin.v1.CreateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateApiKeyResponse>) responseObserver);
          break;
        case METHODID_LIST_API_KEYS:
          serviceImpl.listApiKeys((dev.passgate.admin.v1.ListApiKeysRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListApiKeysResponse>) responseObserver);
          break;
        case METHODID_REVOKE_API_KEY:
          serviceImpl.revokeApiKey((dev.passgate.admin.v1.RevokeApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RevokeApiKeyResponse>) responseObserver);
          break;
        case METHODID_ROTATE_API_KEY:
          serviceImpl.rotateApiKey((dev.passgate.admin.v1.RotateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.RotateApiKeyResponse>) responseObserver);
          break;
        case METHODID_CREATE_TENANT:
          serviceImpl.createTenant((dev.passgate.admin.v1.CreateTenantRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.CreateTenantResponse>) responseObserver);
          break;
        case METHODID_LIST_TENANTS:
          serviceImpl.listTenants((dev.passgate.admin.v1.ListTenantsRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListTenantsResponse>) responseObserver);
          break;
        case METHODID_ALLOW_RESET_URL:
          serviceImpl.allowResetUrl((dev.passgate.admin.v1.AllowResetUrlRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.AllowResetUrlResponse>) responseObserver);
          break;
        case METHODID_DISALLOW_RESET_URL:
          serviceImpl.disallowResetUrl((dev.passgate.admin.v1.DisallowResetUrlRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.DisallowResetUrlResponse>) responseObserver);
          break;
        case METHODID_WATCH_EVENTS:
          serviceImpl.watchEvents((dev.passgate.admin.v1.WatchEventsRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.WatchEventsResponse>) responseObserver);
          break;
        case METHODID_LIST_WEBHOOK_DELIVERIES:
          serviceImpl.listWebhookDeliveries((dev.passgate.admin.v1.ListWebhookDeliveriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.passgate.admin.v1.ListWebhookDeliveriesResponse>) responseObserver);
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
          getCreateUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.CreateUserRequest,
              dev.passgate.admin.v1.CreateUserResponse>(
                service, METHODID_CREATE_USER)))
        .addMethod(
          getGetUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.GetUserRequest,
              dev.passgate.admin.v1.GetUserResponse>(
                service, METHODID_GET_USER)))
        .addMethod(
          getFindUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.FindUserRequest,
              dev.passgate.admin.v1.FindUserResponse>(
                service, METHODID_FIND_USER)))
        .addMethod(
          getListUsersMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.ListUsersRequest,
              dev.passgate.admin.v1.ListUsersResponse>(
                service, METHODID_LIST_USERS)))
        .addMethod(
          getDisableUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.DisableUserRequest,
              dev.passgate.admin.v1.DisableUserResponse>(
                service, METHODID_DISABLE_USER)))
        .addMethod(
          getEnableUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.EnableUserRequest,
              dev.passgate.admin.v1.EnableUserResponse>(
                service, METHODID_ENABLE_USER)))
        .addMethod(
          getSendResetEmailMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.SendResetEmailRequest,
              dev.passgate.admin.v1.SendResetEmailResponse>(
                service, METHODID_SEND_RESET_EMAIL)))
        .addMethod(
          getDeleteUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.DeleteUserRequest,
              dev.passgate.admin.v1.DeleteUserResponse>(
                service, METHODID_DELETE_USER)))
        .addMethod(
          getListUserSessionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.ListUserSessionsRequest,
              dev.passgate.admin.v1.ListUserSessionsResponse>(
                service, METHODID_LIST_USER_SESSIONS)))
        .addMethod(
          getRevokeUserSessionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.RevokeUserSessionRequest,
              dev.passgate.admin.v1.RevokeUserSessionResponse>(
                service, METHODID_REVOKE_USER_SESSION)))
        .addMethod(
          getRevokeAllUserSessionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.RevokeAllUserSessionsRequest,
              dev.passgate.admin.v1.RevokeAllUserSessionsResponse>(
                service, METHODID_REVOKE_ALL_USER_SESSIONS)))
        .addMethod(
          getCreateApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.CreateApiKeyRequest,
              dev.passgate.admin.v1.CreateApiKeyResponse>(
                service, METHODID_CREATE_API_KEY)))
        .addMethod(
          getListApiKeysMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.ListApiKeysRequest,
              dev.passgate.admin.v1.ListApiKeysResponse>(
                service, METHODID_LIST_API_KEYS)))
        .addMethod(
          getRevokeApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.RevokeApiKeyRequest,
              dev.passgate.admin.v1.RevokeApiKeyResponse>(
                service, METHODID_REVOKE_API_KEY)))
        .addMethod(
          getRotateApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.RotateApiKeyRequest,
              dev.passgate.admin.v1.RotateApiKeyResponse>(
                service, METHODID_ROTATE_API_KEY)))
        .addMethod(
          getCreateTenantMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.CreateTenantRequest,
              dev.passgate.admin.v1.CreateTenantResponse>(
                service, METHODID_CREATE_TENANT)))
        .addMethod(
          getListTenantsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.ListTenantsRequest,
              dev.passgate.admin.v1.ListTenantsResponse>(
                service, METHODID_LIST_TENANTS)))
        .addMethod(
          getAllowResetUrlMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.AllowResetUrlRequest,
              dev.passgate.admin.v1.AllowResetUrlResponse>(
                service, METHODID_ALLOW_RESET_URL)))
        .addMethod(
          getDisallowResetUrlMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.DisallowResetUrlRequest,
              dev.passgate.admin.v1.DisallowResetUrlResponse>(
                service, METHODID_DISALLOW_RESET_URL)))
        .addMethod(
          getWatchEventsMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              dev.passgate.admin.v1.WatchEventsRequest,
              dev.passgate.admin.v1.WatchEventsResponse>(
                service, METHODID_WATCH_EVENTS)))
        .addMethod(
          getListWebhookDeliveriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.passgate.admin.v1.ListWebhookDeliveriesRequest,
              dev.passgate.admin.v1.ListWebhookDeliveriesResponse>(
                service, METHODID_LIST_WEBHOOK_DELIVERIES)))
        .build();
  }

  private static abstract class AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AdminServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.passgate.admin.v1.AdminServiceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AdminService");
    }
  }

  private static final class AdminServiceFileDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier {
    AdminServiceFileDescriptorSupplier() {}
  }

  private static final class AdminServiceMethodDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    AdminServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (AdminServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AdminServiceFileDescriptorSupplier())
              .addMethod(getCreateUserMethod())
              .addMethod(getGetUserMethod())
              .addMethod(getFindUserMethod())
              .addMethod(getListUsersMethod())
              .addMethod(getDisableUserMethod())
              .addMethod(getEnableUserMethod())
              .addMethod(getSendResetEmailMethod())
              .addMethod(getDeleteUserMethod())
              .addMethod(getListUserSessionsMethod())
              .addMethod(getRevokeUserSessionMethod())
              .addMethod(getRevokeAllUserSessionsMethod())
              .addMethod(getCreateApiKeyMethod())
              .addMethod(getListApiKeysMethod())
              .addMethod(getRevokeApiKeyMethod())
              .addMethod(getRotateApiKeyMethod())
              .addMethod(getCreateTenantMethod())
              .addMethod(getListTenantsMethod())
              .addMethod(getAllowResetUrlMethod())
              .addMethod(getDisallowResetUrlMethod())
              .addMethod(getWatchEventsMethod())
              .addMethod(getListWebhookDeliveriesMethod())
              .build();
        }
      }
    }
    return result;
  }
}
