/**
 * A URL safe to print: the password (if any) replaced by `***`. Takes a `URL` too, typed
 * by its `href` so the published types need no DOM or Node type package.
 */
export function redactUrl(url: string | { readonly href: string }): string {
  try {
    const parsed = new URL(typeof url === "string" ? url : url.href);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    // Not a URL we can parse: print nothing of it rather than risk a secret.
    return "<unparseable url>";
  }
}
