// webhook receives the security events passgate delivers to a webhook
// endpoint: it checks each delivery's Standard Webhooks signature with the
// endpoint's secret, answers 204 to a verified one and prints its body, and
// answers 401 with the reason to anything else.
//
// Run it from clients/typescript with the endpoint's secret:
//
//   PASSGATE_WEBHOOK_SECRET=whsec_... node examples/dist/webhook.js --listen 127.0.0.1:8081
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { WEBHOOK_ID_HEADER, WebhookVerificationError, WebhookVerifier } from "@passgate/client";

const { values: args } = parseArgs({ options: { listen: { type: "string", default: "127.0.0.1:8081" } } });
const { hostname, port } = new URL(`http://${args.listen}`);

let verifier: WebhookVerifier;
try {
  verifier = new WebhookVerifier(process.env.PASSGATE_WEBHOOK_SECRET ?? "");
} catch (err) {
  console.error(`${(err as Error).message} (set PASSGATE_WEBHOOK_SECRET to the endpoint's secret)`);
  process.exit(2);
}

createServer(async (req, res) => {
  // Verify the raw bytes, before anything parses them as JSON.
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  try {
    verifier.verify(req.headers, body);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) {
      throw err;
    }
    res.writeHead(401, { "content-type": "text/plain" }).end(`${err.message}\n`);
    return;
  }
  // Verified: the body came from passgate, unchanged. A retried delivery
  // keeps its webhook-id, so handle each id once.
  console.log(`${req.headers[WEBHOOK_ID_HEADER]} ${body.toString("utf8")}`);
  res.writeHead(204).end();
}).listen(Number(port), hostname);
