/** A URL safe to print: the password (if any) replaced by `***`. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(typeof url === "string" ? url : url.href);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    // Not a URL we can parse: print nothing of it rather than risk a secret.
    return "<unparseable url>";
  }
}
