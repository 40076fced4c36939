package dev.passgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.passgate.client.WebhookVerificationException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The verifier decides every case of the shared file
 * tests/clients/webhook_vectors.json as the other clients' verifiers do.
 */
class WebhookVerifierTest {
  /** One case: a secret, a clock, a request's headers and raw body, and the refusal expected (null: accepted). */
  record VectorCase(String name, String why, String secret, long now, Map<String, List<String>> headers,
      byte[] body, String error) {
    static VectorCase from(JSONObject c) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      JSONObject h = c.getJSONObject("headers");
      for (String name : h.keySet()) {
        headers.put(name, List.of(h.getString(name)));
      }
      return new VectorCase(c.getString("name"), c.getString("why"), c.getString("secret"), c.getLong("now"),
          headers, c.getString("body").getBytes(StandardCharsets.UTF_8),
          c.isNull("error") ? null : c.getString("error"));
    }

    Clock clock() {
      return Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
    }
  }

  /** $PASSGATE_WEBHOOK_VECTORS, or the file's place in the clone (Maven runs tests from clients/java). */
  static JSONObject vectors() throws IOException {
    String path = System.getenv("PASSGATE_WEBHOOK_VECTORS");
    Path file = path != null ? Path.of(path) : Path.of("..", "..", "tests", "clients", "webhook_vectors.json");
    return new JSONObject(Files.readString(file, StandardCharsets.UTF_8));
  }

  static List<VectorCase> cases() throws IOException {
    List<VectorCase> cases = new ArrayList<>();
    vectors().getJSONArray("cases").forEach(c -> cases.add(VectorCase.from((JSONObject) c)));
    assertFalse(cases.isEmpty(), "the vector file holds no cases");
    return cases;
  }

  static VectorCase named(String name) throws IOException {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The refusal's name as the vectors write it, or null when the delivery is accepted. */
  static String refusal(VectorCase c, Duration tolerance) {
    try {
      new WebhookVerifier(c.secret()).withTolerance(tolerance).withClock(c.clock()).verify(c.headers(), c.body());
      return null;
    } catch (WebhookVerificationException e) {
      return e.reason().name().toLowerCase(Locale.ROOT);
    }
  }

  @Test
  void defaultToleranceIsTheOneTheVectorsAreMadeFor() throws IOException {
    assertEquals(Duration.ofSeconds(vectors().getLong("tolerance_seconds")), WebhookVerifier.DEFAULT_TOLERANCE);
  }

  @TestFactory
  Stream<DynamicTest> decidesEveryVectorAsSpecified() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
        () -> assertEquals(c.error(), refusal(c, WebhookVerifier.DEFAULT_TOLERANCE), c.why())));
  }

  @Test
  void headerNamesAreMatchedWithoutRegardToCase() throws Exception {
    VectorCase valid = named("valid");
    Map<String, List<String>> upper = new LinkedHashMap<>();
    valid.headers().forEach((name, values) -> upper.put(name.toUpperCase(Locale.ROOT), values));
    new WebhookVerifier(valid.secret()).withClock(valid.clock()).verify(upper, valid.body());
  }

  @Test
  void theHeadersCanBeGivenOneByOne() throws Exception {
    VectorCase valid = named("valid");
    new WebhookVerifier(valid.secret()).withClock(valid.clock()).verify(
        valid.headers().get("webhook-id").get(0),
        valid.headers().get("webhook-timestamp").get(0),
        valid.headers().get("webhook-signature").get(0),
        valid.body());
  }

  @Test
  void aMissingHeaderIsNamed() throws IOException {
    VectorCase missing = named("missing_webhook_timestamp");
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> new WebhookVerifier(missing.secret()).verify(missing.headers(), missing.body()));
    assertEquals(Reason.MISSING_HEADER, e.reason());
    assertTrue(e.getMessage().contains("webhook-timestamp"), e.getMessage());
  }

  @Test
  void aNarrowerToleranceRefusesWhatTheDefaultLetsIn() throws IOException {
    VectorCase bound = named("valid_at_the_stale_bound");
    assertEquals(null, refusal(bound, WebhookVerifier.DEFAULT_TOLERANCE));
    assertEquals("stale_timestamp", refusal(bound, Duration.ofMinutes(1)));
  }

  @Test
  void everyReasonOfTheVectorsIsOneOfOurs() throws IOException {
    for (Object name : vectors().getJSONArray("errors")) {
      try {
        Reason.valueOf(((String) name).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        fail("the vectors name a refusal WebhookVerificationException.Reason lacks: " + name);
      }
    }
  }
}
