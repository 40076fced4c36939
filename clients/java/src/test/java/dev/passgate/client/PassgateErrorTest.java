package dev.passgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PassgateErrorTest {
  private static ErrorInfo info(String reason) {
    return ErrorInfo.newBuilder().setReason(reason).setDomain("passgate.dev")
        .putMetadata("error_id", "e-1").build();
  }

  private static StatusRuntimeException rejected(Code code, Metadata trailers, com.google.protobuf.Message... details) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber()).setMessage("refused");
    for (com.google.protobuf.Message d : details) {
      status.addDetails(Any.pack(d));
    }
    return StatusProto.toStatusRuntimeException(status.build(), trailers);
  }

  @Test
  void decodesFieldViolations() {
    BadRequest badRequest = BadRequest.newBuilder()
        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
            .setField("new_password").setDescription("too short").setReason("PASSWORD_TOO_SHORT"))
        .addFieldViolations(BadRequest.FieldViolation.newBuilder()
            .setField("new_password").setDescription("needs a digit").setReason("PASSWORD_MISSING_CHARACTER_CLASS"))
        .build();
    PassgateError e = PassgateError.from(
        rejected(Code.INVALID_ARGUMENT, new Metadata(), info("INVALID_REQUEST"), badRequest)).orElseThrow();
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("refused", e.message());
    assertEquals("INVALID_REQUEST", e.reason());
    assertTrue(e.fromPassgate());
    assertEquals("e-1", e.metadata().get("error_id"));
    assertEquals(2, e.violations().size());
    assertTrue(e.hasViolation("new_password", "PASSWORD_TOO_SHORT"));
    assertFalse(e.hasViolation("confirm_password", "PASSWORD_TOO_SHORT"));
    assertEquals(Optional.empty(), e.retryDelay());
  }

  @Test
  void decodesRetryInfoAndQuota() {
    RetryInfo retry = RetryInfo.newBuilder()
        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2).setNanos(500_000_000)).build();
    QuotaFailure quota = QuotaFailure.newBuilder()
        .addViolations(QuotaFailure.Violation.newBuilder().setSubject("api_key").setDescription("25/5s")).build();
    Metadata trailers = new Metadata();
    trailers.put(Passgate.RETRY_AFTER, "3");
    PassgateError e = PassgateError.from(
        rejected(Code.RESOURCE_EXHAUSTED, trailers, info("RATE_LIMITED"), retry, quota)).orElseThrow();
    assertEquals(Optional.of(Duration.ofMillis(2500)), e.retryDelay());
    assertEquals(List.of(new PassgateError.QuotaViolation("api_key", "25/5s")), e.quota());
  }

  @Test
  void fallsBackToTheRetryAfterTrailer() {
    Metadata trailers = new Metadata();
    trailers.put(Passgate.RETRY_AFTER, "4");
    PassgateError e = PassgateError.from(
        rejected(Code.RESOURCE_EXHAUSTED, trailers, info("RATE_LIMITED"))).orElseThrow();
    assertEquals(Optional.of(Duration.ofSeconds(4)), e.retryDelay());
  }

  @Test
  void plainStatusesAndOtherThrowables() {
    PassgateError e = PassgateError.from(Status.UNAVAILABLE.withDescription("down").asRuntimeException())
        .orElseThrow();
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertEquals("down", e.message());
    assertFalse(e.fromPassgate());
    assertEquals(Optional.empty(), PassgateError.from(new IllegalStateException("plain")));
  }

  @Test
  void aClientSideFailureSaysWhyThroughItsCause() {
    PassgateError e = PassgateError.from(Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: /127.0.0.1:50051"))
        .asRuntimeException()).orElseThrow();
    assertEquals("io exception: Connection refused: /127.0.0.1:50051", e.message());
  }

  @Test
  void readsAsCodeReasonIfAnyAndMessage() {
    assertEquals("PERMISSION_DENIED API_KEY_SCOPE: refused (error id e-1)",
        PassgateError.from(rejected(Code.PERMISSION_DENIED, new Metadata(), info("API_KEY_SCOPE")))
            .orElseThrow().toString());
    assertEquals("UNAVAILABLE: down",
        PassgateError.from(Status.UNAVAILABLE.withDescription("down").asRuntimeException()).orElseThrow().toString());
    assertEquals("DEADLINE_EXCEEDED",
        PassgateError.from(Status.DEADLINE_EXCEEDED.asRuntimeException()).orElseThrow().toString());
  }
}
