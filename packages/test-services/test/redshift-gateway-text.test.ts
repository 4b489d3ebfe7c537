import { describe, expect, it } from "vitest";
import { translateStatement } from "../src/redshift-gateway/redshift-sql-translation.js";
import { splitStatements, tokenizeSql } from "../src/redshift-gateway/sql-tokens.js";
import {
  dateText,
  decimalText,
  minimalDecimalBytes,
  timestampText,
} from "../src/redshift-gateway/value-text.js";

const translate = (sql: string) =>
  splitStatements(tokenizeSql(sql)).map((statement) => translateStatement(statement).sql);

describe("Redshift gateway SQL translation", () => {
  it("drops physical design and maps types, but never inside literals or quoted names", () => {
    expect(
      translate(
        `CREATE TABLE s."super" ("encode" VARCHAR(5) ENCODE zstd, d SUPER, b VARBYTE, note VARCHAR(9) DEFAULT 'DISTKEY SUPER GETDATE()') DISTSTYLE ALL INTERLEAVED SORTKEY (d)`,
      ),
    ).toEqual([
      `CREATE TABLE s."super" ("encode" VARCHAR(5) , d redshift.super, b redshift.varbyte_64000, note VARCHAR(9) DEFAULT 'DISTKEY SUPER GETDATE()')   `,
    ]);
    expect(translate("SELECT GETDATE(), sysdate; SELECT ';' AS x")).toEqual([
      "SELECT redshift.getdate(), LOCALTIMESTAMP",
      " SELECT ';' AS x",
    ]);
    expect(translate(`INSERT INTO t (d) SELECT JSON_PARSE("d") FROM s."json_parse"`)).toEqual([
      `INSERT INTO t (d) SELECT redshift.json_parse("d") FROM s."json_parse"`,
    ]);
  });
});

describe("Redshift gateway value text", () => {
  it("formats decimals, dates and timestamps exactly, including negatives and years before 1", () => {
    expect(decimalText(-123456789012345678901234567890n, 10)).toBe("-12345678901234567890.1234567890");
    expect(decimalText(5n, 3)).toBe("0.005");
    expect(dateText(0)).toBe("1970-01-01");
    expect(dateText(-719528)).toBe("0001-01-01 BC");
    expect(dateText(2_932_896)).toBe("9999-12-31");
    expect(timestampText(-1n)).toBe("1969-12-31 23:59:59.999999");
    expect(timestampText(1_714_564_496_123_456n)).toBe("2024-05-01 11:54:56.123456");
    expect([9, 18, 20, 38].map(minimalDecimalBytes)).toEqual([4, 8, 9, 16]);
  });
});
