import { describe, expect, it } from "vitest";
import { detectCursorColumn } from "../src/index.js";
import { bigintKey, column, datetime6, spec, text, timestamp0 } from "./table-spec-fixtures.js";

describe("detectCursorColumn", () => {
  it("finds a conventionally named datetime column, case-insensitively", () => {
    const table = spec([column("id", bigintKey), column("Updated_At", datetime6)], ["id"]);
    expect(detectCursorColumn(table)).toBe("Updated_At");
  });

  it("prefers an ON UPDATE CURRENT_TIMESTAMP column over a name match", () => {
    const table = spec(
      [
        column("id", bigintKey),
        column("updated_at", datetime6),
        column("touched", timestamp0, { onUpdateCurrentTimestamp: true }),
      ],
      ["id"],
    );
    expect(detectCursorColumn(table)).toBe("touched");
  });

  it("among ON UPDATE columns prefers the better name", () => {
    const table = spec(
      [
        column("created_at", timestamp0, { onUpdateCurrentTimestamp: true }),
        column("modified_at", timestamp0, { onUpdateCurrentTimestamp: true }),
      ],
      [],
    );
    expect(detectCursorColumn(table)).toBe("modified_at");
  });

  it("ranks names: updated_at before modified_at before last_modified", () => {
    const table = spec(
      [column("last_modified", datetime6), column("modified_at", datetime6), column("updated_at", datetime6)],
      [],
    );
    expect(detectCursorColumn(table)).toBe("updated_at");
    expect(
      detectCursorColumn(spec([column("last_modified", datetime6), column("modified_at", datetime6)], [])),
    ).toBe("modified_at");
  });

  it("ignores a matching name of a non-clock type and unrelated clock columns", () => {
    const table = spec(
      [column("id", bigintKey), column("updated_at", text), column("created_at", datetime6)],
      ["id"],
    );
    expect(detectCursorColumn(table)).toBeNull();
  });
});
