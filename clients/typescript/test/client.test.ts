// Unit tests of createPassgateClient's TLS options: a mistake throws when the
// client is made, not as a handshake failure on the first call.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPassgateClient } from "@passgate/client";

const caCert = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

test("TLS options need an https:// base URL", () => {
  assert.throws(
    () => createPassgateClient({ baseUrl: "http://127.0.0.1:50051", apiKey: "pgk_x", tls: { caCert } }),
    /https:\/\/ baseUrl/,
  );
});

test("a client certificate needs its key", () => {
  assert.throws(
    () =>
      createPassgateClient({
        baseUrl: "https://127.0.0.1:50051",
        apiKey: "pgk_x",
        tls: { caCert, clientCert: caCert },
      }),
    /go together/,
  );
});
