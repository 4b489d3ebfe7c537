/**
 * `${VAR}` and `${VAR:-fallback}` in pipeline-file strings, from the environment the
 * app hands in (library code reads no process.env). `$${` is a literal `${`.
 *
 * Substituted values stay text (a password of digits must not become a number); the
 * schema accepts digit strings where it wants numbers and "true"/"false" for switches.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

export interface MissingVariable {
  readonly path: readonly (string | number)[];
  readonly name: string;
}

export interface Interpolated {
  readonly value: unknown;
  readonly missing: readonly MissingVariable[];
  /** Paths of the strings that used at least one variable (they are not literals). */
  readonly interpolatedPaths: ReadonlySet<string>;
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnvironment(document: unknown, env: Environment): Interpolated {
  const missing: MissingVariable[] = [];
  const interpolatedPaths = new Set<string>();

  const substitute = (text: string, path: readonly (string | number)[]): unknown => {
    let used = false;
    const replaced = text.replace(
      reference,
      (match, name: string | undefined, fallback: string | undefined) => {
        if (match === "$${") return "${";
        used = true;
        const value = name === undefined ? undefined : env[name];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        missing.push({ path, name: name ?? "" });
        return "";
      },
    );
    if (!used) return replaced;
    interpolatedPaths.add(pathKey(path));
    return replaced;
  };

  const walk = (value: unknown, path: readonly (string | number)[]): unknown => {
    if (typeof value === "string") return substitute(value, path);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          walk(item, [...path, key]),
        ]),
      );
    }
    return value;
  };

  return { value: walk(document, []), missing, interpolatedPaths };
}

export function pathKey(path: readonly (string | number)[]): string {
  return path.map(String).join(".");
}
