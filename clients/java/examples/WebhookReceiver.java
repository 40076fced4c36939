// WebhookReceiver receives the security events passgate delivers to a webhook
// endpoint: it checks each delivery's Standard Webhooks signature with the
// endpoint's secret, answers 204 to a verified one and prints its body, and
// answers 401 with the reason to anything else.
//
// Run it from clients/java with the endpoint's secret:
//
//   PASSGATE_WEBHOOK_SECRET=whsec_... java -cp "target/passgate-client-0.1.0.jar:$(cat target/classpath.txt)" \
//       examples/WebhookReceiver.java --listen 127.0.0.1:8081

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.passgate.client.WebhookVerificationException;
import dev.passgate.client.WebhookVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public class WebhookReceiver {
  public static void main(String[] argv) throws IOException {
    String listen = argv.length == 2 && argv[0].equals("--listen") ? argv[1] : "127.0.0.1:8081";
    WebhookVerifier verifier;
    try {
      verifier = new WebhookVerifier(String.valueOf(System.getenv("PASSGATE_WEBHOOK_SECRET")));
    } catch (WebhookVerificationException e) {
      System.err.println(e.getMessage() + " (set PASSGATE_WEBHOOK_SECRET to the endpoint's secret)");
      System.exit(2);
      return;
    }
    int colon = listen.lastIndexOf(':');
    HttpServer server = HttpServer.create(
        new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))), 0);
    server.createContext("/", exchange -> receive(verifier, exchange));
    server.start();
  }

  static void receive(WebhookVerifier verifier, HttpExchange exchange) throws IOException {
    try (exchange) {
      // Verify the raw bytes, before anything parses them as JSON.
      byte[] body = exchange.getRequestBody().readAllBytes();
      try {
        verifier.verify(exchange.getRequestHeaders(), body);
      } catch (WebhookVerificationException e) {
        byte[] reason = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(401, reason.length);
        exchange.getResponseBody().write(reason);
        return;
      }
      // Verified: the body came from passgate, unchanged. A retried delivery
      // keeps its webhook-id, so handle each id once.
      System.out.println(exchange.getRequestHeaders().getFirst(WebhookVerifier.ID_HEADER) + " "
          + new String(body, StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
    }
  }
}
