import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact";

describe("redactSecrets", () => {
  it("hides secret-named fields at any depth and credential-looking strings, and keeps the rest", () => {
    const input = {
      channel: "#ops",
      text: "hello",
      password: "hunter2",
      nested: { botToken: "abc", webhookSecret: "s", "x-api-key": "k", Authorization: "anything", limit: 3 },
      list: [{ api_key: "k2" }, "xoxb-123-456", "Bearer eyJhbGciOi", "plain"],
      pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
      emptyToken: "",
      nullSecret: null,
    };
    expect(redactSecrets(input)).toEqual({
      channel: "#ops",
      text: "hello",
      password: REDACTED,
      nested: { botToken: REDACTED, webhookSecret: REDACTED, "x-api-key": REDACTED, Authorization: REDACTED, limit: 3 },
      list: [{ api_key: REDACTED }, REDACTED, REDACTED, "plain"],
      pem: REDACTED,
      emptyToken: "",
      nullSecret: null,
    });
    // The original is left alone: executors get the real values.
    expect(input.password).toBe("hunter2");
  });

  it("does not take ordinary words for secrets", () => {
    expect(redactSecrets({ tokens: 5, secretary: "Ann", note: "the token is in the vault", bearer: "Bearer" })).toEqual({
      tokens: 5,
      secretary: "Ann",
      note: "the token is in the vault",
      bearer: "Bearer",
    });
  });
});
