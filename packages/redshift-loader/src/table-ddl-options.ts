import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { TargetColumnName } from "./target-names.js";
import { parseWarehouseType, type WarehouseType } from "./warehouse-type.js";

/**
 * Physical design of a target table on Redshift, as an operator configures it per
 * table. Column names may be given as the source (MySQL) name or the warehouse name.
 * They apply when sluice creates the table, and when it rebuilds it to widen a column;
 * an existing table keeps its design otherwise. PostgreSQL validates them and ignores
 * them (it has no equivalent).
 */
export interface TableDdlOptions {
  /** DISTSTYLE; default `auto` (Redshift picks ALL/EVEN/KEY and adapts as the table grows). A `distKey` implies `key`. */
  readonly distStyle?: "auto" | "even" | "key" | "all";
  /** DISTKEY column, typically the column the table is joined on. */
  readonly distKey?: string;
  /**
   * SORTKEY: columns (compound unless `sortStyle` is `interleaved`) or `auto`.
   * Default: the run's cursor column (incremental loads append in cursor order, and
   * queries over recent changes prune blocks), else Redshift's default AUTO.
   */
  readonly sortKey?: readonly string[] | "auto";
  readonly sortStyle?: "compound" | "interleaved";
  /**
   * ENCODE per column (`{ "note": "zstd" }`). Default: none, so the table is ENCODE
   * AUTO and Redshift chooses and adapts encodings (AWS's recommendation); naming any
   * column turns ENCODE AUTO off for the whole table, as Redshift does.
   */
  readonly columnEncodings?: Readonly<Record<string, string>>;
}

/** DDL options with every column resolved to its warehouse name. */
export interface ResolvedDdlOptions {
  readonly distStyle: "auto" | "even" | "key" | "all";
  readonly distKey: string | null;
  /** Empty with `sortKeyMode` `auto`, or `default` without a cursor column. */
  readonly sortKey: readonly string[];
  readonly sortKeyMode: "columns" | "auto" | "default";
  readonly sortStyle: "compound" | "interleaved";
  readonly columnEncodings: Readonly<Record<string, string>>;
}

/**
 * Encodings and the types they accept (AWS "Compression encodings"). `*` = all types.
 * Keys are WarehouseType kinds.
 */
const encodingTypes: Record<string, readonly string[] | "*"> = {
  raw: "*",
  zstd: "*",
  az64: ["smallint", "integer", "bigint", "decimal", "date", "timestamp", "timestamptz"],
  bytedict: [
    "smallint",
    "integer",
    "bigint",
    "decimal",
    "real",
    "double",
    "char",
    "varchar",
    "date",
    "timestamp",
    "timestamptz",
  ],
  delta: ["smallint", "integer", "bigint", "date", "timestamp", "decimal"],
  delta32k: ["integer", "bigint", "date", "timestamp", "decimal"],
  lzo: [
    "smallint",
    "integer",
    "bigint",
    "decimal",
    "char",
    "varchar",
    "date",
    "timestamp",
    "timestamptz",
    "super",
  ],
  mostly8: ["smallint", "integer", "bigint", "decimal"],
  mostly16: ["integer", "bigint", "decimal"],
  mostly32: ["bigint", "decimal"],
  runlength: [
    "smallint",
    "integer",
    "bigint",
    "decimal",
    "real",
    "double",
    "boolean",
    "char",
    "varchar",
    "date",
    "timestamp",
    "timestamptz",
  ],
  text255: ["varchar"],
  text32k: ["varchar"],
};

/**
 * Resolves and validates the options against the run's columns (after name mapping):
 * every named column must exist, DISTKEY goes with DISTSTYLE KEY only, encodings must
 * exist and suit the column's type. `cursorColumn` is the warehouse name of the cursor,
 * the default sort key. `types` gives each column's Redshift type (for ENCODE checks).
 */
export function resolveDdlOptions(
  table: string,
  options: TableDdlOptions,
  columns: readonly TargetColumnName[],
  cursorColumn: string | null,
  types: ReadonlyMap<string, string>,
): Result<ResolvedDdlOptions, SluiceError> {
  const resolve = (what: string, name: string): Result<string, SluiceError> => {
    const found =
      columns.find((column) => column.source.name === name) ??
      columns.find((column) => column.target === name.toLowerCase());
    if (found) return ok(found.target);
    return err(
      configError(
        `${table}: ${what} column "${name}" is not a column of the table; choose one of ${columns.map((column) => column.target).join(", ")}`,
      ),
    );
  };
  let distKey: string | null = null;
  if (options.distKey !== undefined) {
    const resolved = resolve("--dist-key", options.distKey);
    if (resolved.isErr()) return err(resolved.error);
    distKey = resolved.value;
  }
  const distStyle = options.distStyle ?? (distKey !== null ? "key" : "auto");
  if (distStyle === "key" && distKey === null) {
    return err(configError(`${table}: --dist-style key needs --dist-key <column>`));
  }
  if (distStyle !== "key" && distKey !== null) {
    return err(
      configError(
        `${table}: --dist-key goes with DISTSTYLE KEY, not ${distStyle.toUpperCase()}; drop --dist-style or set it to key`,
      ),
    );
  }

  let sortKey: string[] = [];
  let sortKeyMode: ResolvedDdlOptions["sortKeyMode"] = "default";
  if (options.sortKey === "auto") {
    sortKeyMode = "auto";
  } else if (options.sortKey !== undefined) {
    if (options.sortKey.length === 0) return err(configError(`${table}: --sort-key names no column`));
    for (const name of options.sortKey) {
      const resolved = resolve("--sort-key", name);
      if (resolved.isErr()) return err(resolved.error);
      if (sortKey.includes(resolved.value)) {
        return err(configError(`${table}: --sort-key names column "${name}" twice`));
      }
      sortKey.push(resolved.value);
    }
    sortKeyMode = "columns";
  } else if (cursorColumn !== null) {
    sortKey = [cursorColumn];
  }
  const sortStyle = options.sortStyle ?? "compound";
  if (sortStyle === "interleaved" && sortKeyMode !== "columns") {
    return err(configError(`${table}: --sort-style interleaved needs explicit --sort-key columns`));
  }

  const columnEncodings: Record<string, string> = {};
  for (const [name, given] of Object.entries(options.columnEncodings ?? {})) {
    const resolved = resolve("--encode", name);
    if (resolved.isErr()) return err(resolved.error);
    const encoding = given.trim().toLowerCase();
    const accepted = encodingTypes[encoding];
    if (accepted === undefined) {
      return err(
        configError(
          `${table}: --encode ${name}=${given}: unknown encoding; use one of ${Object.keys(encodingTypes).join(", ")}`,
        ),
      );
    }
    const type: WarehouseType = parseWarehouseType(types.get(resolved.value) ?? "");
    if (accepted !== "*" && !accepted.includes(type.kind)) {
      return err(
        configError(
          `${table}: --encode ${name}=${encoding}: ${encoding.toUpperCase()} does not apply to ${types.get(resolved.value)} columns (it takes ${accepted.join(", ")}); use zstd or raw`,
        ),
      );
    }
    columnEncodings[resolved.value] = encoding;
  }
  return ok({ distStyle, distKey, sortKey, sortKeyMode, sortStyle, columnEncodings });
}
