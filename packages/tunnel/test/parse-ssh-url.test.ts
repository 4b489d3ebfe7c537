import { describe, expect, it } from "vitest";
import { parseSshUrl } from "../src/index.js";

describe("parseSshUrl", () => {
  it("reads user, host and port", () => {
    expect(parseSshUrl("ssh://deploy@bastion.example.com:2222")._unsafeUnwrap()).toEqual({
      host: "bastion.example.com",
      port: 2222,
      user: "deploy",
    });
  });

  it("defaults the port to 22 and unbrackets IPv6 literals", () => {
    expect(parseSshUrl("ssh://ops@[::1]")._unsafeUnwrap()).toEqual({ host: "::1", port: 22, user: "ops" });
  });

  it.each([
    ["mysql://root@host:22", "scheme"],
    ["ssh://host:22", "lacks a user"],
    ["not a url", "invalid SSH URL"],
    ["ssh://u@host:22/db", "path"],
  ])("refuses %s", (url, fragment) => {
    const error = parseSshUrl(url)._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(fragment);
  });

  it("refuses a password without echoing it", () => {
    const error = parseSshUrl("ssh://u:hunter2@host:22")._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).not.toContain("hunter2");
  });
});
