// Unit tests of createPassgateClient's base URL and TLS options: a mistake
// throws when the client is made, not as a failure of the first call.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPassgateClient } from "@passgate/client";

const caCert = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

test("a base URL needs http:// or https://", () => {
  for (const baseUrl of ["127.0.0.1:50051", "localhost:50051", "grpc://127.0.0.1:50051", ""]) {
    assert.throws(
      () => createPassgateClient({ baseUrl, apiKey: "pgk_x" }),
      /baseUrl must be http:\/\/host:port \(plaintext\) or https:\/\/host:port \(TLS\)/,
    );
  }
  createPassgateClient({ baseUrl: "HTTP://127.0.0.1:50051", apiKey: "pgk_x" });
});

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
