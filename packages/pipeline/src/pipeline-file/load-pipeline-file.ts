import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { closeMatches, configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { isMap, isNode, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { type Environment, interpolateEnvironment, pathKey } from "./env-interpolation.js";
import { literalSecretWarnings } from "./literal-secrets.js";
import { type PipelineFileContent, pipelineFileSchema } from "./pipeline-file-schema.js";

/** A pipeline file, checked: its content, and where each value sits in the file. */
export interface PipelineFile {
  readonly path: string;
  /** `name:` or the file name without its extension. */
  readonly name: string;
  readonly content: PipelineFileContent;
  /** `file:line:column` of the value at a path (`["tables", 2, "write_mode"]`), or of its nearest parent. */
  readonly locate: (path: readonly (string | number)[]) => string;
  /** Secrets written in the file as literals (use `${VAR}`); `sluice config` shows them. */
  readonly warnings: readonly string[];
}

/** Reads and checks a pipeline file; `${VAR}` comes from `env`. */
export function loadPipelineFile(path: string, env: Environment): ResultAsync<PipelineFile, SluiceError> {
  return ResultAsync.fromPromise(readFile(path, "utf8"), (thrown) => {
    const code = (thrown as NodeJS.ErrnoException).code;
    return configError(
      code === "ENOENT"
        ? `pipeline file ${path} does not exist; pass -p <name> for pipelines/<name>.yml or -p <path to a .yml file>`
        : `pipeline file ${path} cannot be read (${code ?? String(thrown)})`,
      thrown,
    );
  }).andThen((text) => parsePipelineFile(text, path, env));
}

/** Checks a pipeline file's text: YAML syntax, `${VAR}` references, then the schema. */
export function parsePipelineFile(
  text: string,
  path: string,
  env: Environment,
): Result<PipelineFile, SluiceError> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return path;
    const { line, col } = lineCounter.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  if (document.errors.length > 0) {
    const problems = document.errors.map(
      (problem) => `${where(problem.pos[0])}: ${problem.message.split("\n")[0]} (YAML syntax)`,
    );
    return err(configError(`pipeline file is not valid YAML:\n  ${problems.join("\n  ")}`));
  }
  const locate = (at: readonly (string | number)[]): string => {
    for (let depth = at.length; depth >= 0; depth--) {
      const node = document.getIn(at.slice(0, depth), true);
      if (isNode(node) && node.range) return where(node.range[0]);
      // A key whose value is empty (`source:`) has no value node: point at the pair.
      if (depth > 0 && node === null) continue;
    }
    return path;
  };
  /** Where a key itself is written (`write_mod:`), for "unknown key" problems. */
  const locateKey = (parent: readonly (string | number)[], key: string): string => {
    const node = parent.length === 0 ? document.contents : document.getIn(parent, true);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return where(pair.key.range[0]);
    }
    return locate([...parent, key]);
  };
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return err(
      configError(
        `${path}: a pipeline file is a YAML mapping with at least \`tables:\`; see docs/pipelines.md for an example`,
      ),
    );
  }
  const interpolated = interpolateEnvironment(raw, env);
  if (interpolated.missing.length > 0) {
    const problems = interpolated.missing.map(
      ({ path: at, name }) =>
        `${locate(at)}: ${pathKey(at)} uses \${${name}}, which is not set; export ${name}, put it in .env, or write \${${name}:-default}`,
    );
    return err(configError(`pipeline file refers to unset variables:\n  ${problems.join("\n  ")}`));
  }
  const parsed = pipelineFileSchema.safeParse(interpolated.value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      describeIssue(issue, locate, locateKey, interpolated.value),
    );
    return err(
      configError(`pipeline file ${path} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`),
    );
  }
  const content = parsed.data;
  const duplicate = firstDuplicateTable(content);
  if (duplicate !== null) {
    return err(
      configError(
        `${locate(["tables", duplicate.index])}: ${duplicate.table} is listed twice; keep one entry per table`,
      ),
    );
  }
  return ok({
    path,
    name: content.name ?? basename(path, extname(path)),
    content,
    locate,
    warnings: literalSecretWarnings(content, interpolated.interpolatedPaths, locate),
  });
}

function firstDuplicateTable(content: PipelineFileContent): { table: string; index: number } | null {
  const seen = new Set<string>();
  for (const [index, entry] of content.tables.entries()) {
    const name = entry.table.toLowerCase();
    if (seen.has(name)) return { table: entry.table, index };
    seen.add(name);
  }
  return null;
}

/** One line per problem: where, which key, what is wrong with the value, and the fix. */
function describeIssue(
  issue: z.core.$ZodIssue,
  locate: (path: readonly (string | number)[]) => string,
  locateKey: (parent: readonly (string | number)[], key: string) => string,
  document: unknown,
): string {
  const at = issue.path.filter((part): part is string | number => typeof part !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const keyPath = [...at, key];
        const known = knownKeysAt(at);
        const suggestion = closeMatches(key, known, 1)[0];
        return `${locateKey(at, key)}: ${pathKey(keyPath)} is not a known key; ${
          suggestion ? `did you mean ${suggestion}? ` : ""
        }known here: ${known.join(", ")}`;
      })
      .join("\n  ");
  }
  const value = valueAt(document, at);
  const got = value === undefined ? "nothing" : JSON.stringify(value);
  const name = at.length > 0 ? pathKey(at) : "the file";
  if (value === undefined && issue.code === "invalid_type") {
    return `${locate(at)}: ${name} is required; add it (see docs/pipelines.md)`;
  }
  return `${locate(at)}: ${name}: ${issue.message}, got ${got}; fix the value (see docs/pipelines.md)`;
}

function valueAt(document: unknown, at: readonly (string | number)[]): unknown {
  let value = document;
  for (const part of at) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** The keys the schema knows for the object at a path, for "did you mean". */
function knownKeysAt(at: readonly (string | number)[]): readonly string[] {
  let schema: z.ZodType = pipelineFileSchema;
  for (const part of at) {
    const next = childSchema(schema, part);
    if (!next) return [];
    schema = next;
  }
  return objectKeys(schema);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    const def = current._zod.def as {
      type: string;
      innerType?: z.ZodType;
      out?: z.ZodType;
      options?: z.ZodType[];
    };
    if (def.type === "optional" || def.type === "nullable" || def.type === "default") {
      current = def.innerType as z.ZodType;
    } else if (def.type === "pipe") {
      current = def.out as z.ZodType;
    } else if (def.type === "union") {
      const object = (def.options ?? []).map(unwrap).find((option) => objectKeys(option).length > 0);
      if (!object) return current;
      current = object;
    } else {
      return current;
    }
  }
}

function childSchema(schema: z.ZodType, part: string | number): z.ZodType | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
  if (def.type === "array" && typeof part === "number") return def.element;
  if (def.type === "object" && typeof part === "string") return def.shape?.[part];
  return undefined;
}

function objectKeys(schema: z.ZodType): readonly string[] {
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, z.ZodType> };
  return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
}
