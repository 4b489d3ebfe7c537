import { parsePipelineFile, tableSettingKeys, tableSettings } from "@sluice/pipeline";
import { describe, expect, it } from "vitest";
import { fileSettingsLayer } from "../src/pipeline-file-settings.js";
import { syncCommand } from "../src/sync-command.js";
import { syncFlagParsers } from "../src/sync-flags.js";

function loaded(text: string) {
  const file = parsePipelineFile(text, "pipelines/p.yml", {});
  if (file.isErr()) throw new Error(file.error.message);
  return file.value;
}

describe("pipeline file settings take the flags' parsers", () => {
  it("turns the file's values into the values the flags give", () => {
    const file = loaded(`tables:
  - table: shop.orders
    page_size: 7
    safety_lag_seconds: "2.5"
    strategy_options: { lookback_minutes: 10, mode: fast }
    reconcile_deletes: 24h
    reconcile_max_deletes: 0
    sort_key: [updated_at, id]
    dist_style: key
    encode: { note: zstd }
    latest_view_key: order_id, line
    force: true
`);
    const layer = fileSettingsLayer(file, file.content.tables[0], ["tables", 0]);
    expect(layer.problems).toEqual([]);
    expect(layer.flags).toEqual({
      pageSize: 7,
      safetyLagSeconds: 2.5,
      strategyOption: { lookback_minutes: "10", mode: "fast" },
      reconcileDeletes: { everyHours: 24 },
      reconcileMaxDeletes: 0,
      sortKey: ["updated_at", "id"],
      distStyle: "key",
      encode: { note: "zstd" },
      latestViewKey: ["order_id", "line"],
      force: true,
    });
    expect(layer.provenance.get("pageSize")).toEqual({ source: "file", detail: "pipelines/p.yml:3:16" });
  });

  it("refuses what the flag's parser refuses, naming file:line:col, the key and the value", () => {
    const file = loaded(`defaults:
  reconcile_deletes: weekly
tables:
  - table: shop.orders
    encode: note
    latest_view_key: "a,,b"
`);
    expect(fileSettingsLayer(file, file.content.defaults, ["defaults"]).problems).toEqual([
      'pipelines/p.yml:2:22: defaults.reconcile_deletes must be off, every, or a number of hours such as 24h or 24-hours, got "weekly"',
    ]);
    expect(fileSettingsLayer(file, file.content.tables[0], ["tables", 0]).problems).toEqual([
      'pipelines/p.yml:6:22: tables.0.latest_view_key must be column names separated by commas, got "a,,b"',
      'pipelines/p.yml:5:13: tables.0.encode must be column=encoding pairs separated by commas (e.g. note=zstd,id=az64), got "note"',
    ]);
  });

  it("every file setting is a sync flag, parsed by commander exactly when the file's value is", () => {
    const options = syncCommand({ stdout: () => {}, stderr: () => {}, env: {} }, () => {}).options;
    for (const key of tableSettingKeys) {
      const flag = `--${tableSettings[key].flag}`;
      const option = options.find(
        (each) => each.long === flag || each.long === `--no-${tableSettings[key].flag}`,
      );
      expect(option, flag).toBeDefined();
      // `choices` are a parser too, commander's: the file schema checks the same words.
      const parsed = Boolean(option?.parseArg) && option?.argChoices === undefined;
      expect(parsed, flag).toBe((option?.attributeName() ?? "") in syncFlagParsers);
    }
  });
});
