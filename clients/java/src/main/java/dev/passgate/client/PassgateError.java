package dev.passgate.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rejected call's status with passgate's google.rpc details decoded, so
 * callers act on reasons and fields rather than on message text.
 *
 * <pre>{@code
 * try {
 *   stub.signIn(request);
 * } catch (StatusRuntimeException e) {
 *   PassgateError error = PassgateError.from(e).orElseThrow();
 *   if (error.reason().equals("INVALID_CREDENTIALS")) { ... }
 * }
 * }</pre>
 *
 * @param code the gRPC status code
 * @param message the status message, followed by its cause's when the call failed in the
 *     client ("io exception: Connection refused: /127.0.0.1:50051"); it may change
 *     between releases, so never compare it
 * @param reason ErrorInfo's reason, an {@code ErrorReason} value name such as
 *     {@code INVALID_CREDENTIALS}; empty when the error did not come from passgate
 * @param domain ErrorInfo's domain, {@value Passgate#ERROR_DOMAIN} for passgate's errors
 * @param metadata ErrorInfo's metadata, e.g. {@code error_id} on INTERNAL errors
 * @param violations BadRequest's field violations, one per broken rule
 * @param retryDelay RetryInfo's delay, or the {@code retry-after} trailer's, when sent
 * @param quota QuotaFailure's violations on RESOURCE_EXHAUSTED
 */
public record PassgateError(
    Status.Code code,
    String message,
    String reason,
    String domain,
    Map<String, String> metadata,
    List<FieldViolation> violations,
    Optional<Duration> retryDelay,
    List<QuotaViolation> quota) {

  /** One broken rule of one request field. */
  public record FieldViolation(String field, String description, String reason) {}

  /** The limit a RESOURCE_EXHAUSTED call ran into. */
  public record QuotaViolation(String subject, String description) {}

  /**
   * Decodes the status and details of {@code t} (a StatusRuntimeException or
   * StatusException); empty when it carries no gRPC status.
   */
  public static Optional<PassgateError> from(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() == Status.Code.UNKNOWN && status.getCause() == t) {
      return Optional.empty(); // not a gRPC error at all
    }
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    String reason = "";
    String domain = "";
    Map<String, String> metadata = Map.of();
    List<FieldViolation> violations = new ArrayList<>();
    Duration retryDelay = null;
    List<QuotaViolation> quota = new ArrayList<>();
    for (Any detail : details == null ? List.<Any>of() : details.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          reason = info.getReason();
          domain = info.getDomain();
          metadata = Map.copyOf(info.getMetadataMap());
        } else if (detail.is(BadRequest.class)) {
          for (BadRequest.FieldViolation v : detail.unpack(BadRequest.class).getFieldViolationsList()) {
            violations.add(new FieldViolation(v.getField(), v.getDescription(), v.getReason()));
          }
        } else if (detail.is(RetryInfo.class)) {
          com.google.protobuf.Duration d = detail.unpack(RetryInfo.class).getRetryDelay();
          retryDelay = Duration.ofSeconds(d.getSeconds(), d.getNanos());
        } else if (detail.is(QuotaFailure.class)) {
          for (QuotaFailure.Violation v : detail.unpack(QuotaFailure.class).getViolationsList()) {
            quota.add(new QuotaViolation(v.getSubject(), v.getDescription()));
          }
        }
      } catch (InvalidProtocolBufferException e) {
        // a malformed detail is skipped; the others still count
      }
    }
    if (retryDelay == null) {
      retryDelay = retryAfter(Status.trailersFromThrowable(t)).orElse(null);
    }
    String message = details != null ? details.getMessage() : status.getDescription();
    return Optional.of(new PassgateError(
        status.getCode(), withCauses(message, status.getCause()), reason, domain, metadata,
        List.copyOf(violations), Optional.ofNullable(retryDelay), List.copyOf(quota)));
  }

  /**
   * The status message followed by the messages of its causes: a call that
   * failed in the client (UNAVAILABLE "io exception") says why, such as
   * "Connection refused: /127.0.0.1:50051", only there.
   */
  private static String withCauses(String message, Throwable cause) {
    StringBuilder text = new StringBuilder(message == null ? "" : message);
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String said = t.getMessage();
      if (said != null && !said.isBlank() && text.indexOf(said) < 0) {
        text.append(text.isEmpty() ? "" : ": ").append(said);
      }
    }
    return text.toString();
  }

  /** Reads the {@code retry-after} trailer (whole seconds), if there is one. */
  public static Optional<Duration> retryAfter(Metadata trailers) {
    String value = trailers == null ? null : trailers.get(Passgate.RETRY_AFTER);
    if (value == null || !value.strip().matches("\\d{1,9}")) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
  }

  /**
   * One line that says why the call failed, as the Python client's
   * {@code str(PassgateError)} does: the code, the reason if there is one,
   * then the message and the error id if any, e.g.
   * {@code PERMISSION_DENIED API_KEY_SCOPE: this API key may not call this method}
   * or {@code UNAVAILABLE: io exception: Connection refused: /127.0.0.1:50051}.
   */
  @Override
  public String toString() {
    String label = reason.isEmpty() ? code.name() : code.name() + " " + reason;
    String text = message.isEmpty() ? label : label + ": " + message;
    String errorId = metadata.get("error_id");
    return errorId == null || errorId.isEmpty() ? text : text + " (error id " + errorId + ")";
  }

  /** Tells whether {@code field} broke the rule named {@code reason}. */
  public boolean hasViolation(String field, String reason) {
    return violations.stream().anyMatch(v -> v.field().equals(field) && v.reason().equals(reason));
  }

  /** Tells whether this is one of passgate's own answers (ErrorInfo domain {@code passgate.dev}). */
  public boolean fromPassgate() {
    return Passgate.ERROR_DOMAIN.equals(domain);
  }
}
