import type { Connection } from "mysql2/promise";

/** The benchmark's 20-column table: the mix of types a typical OLTP fact table has. */
export const wideTableDdl = `
CREATE TABLE wide20 (
  id BIGINT NOT NULL PRIMARY KEY,
  account_id INT NOT NULL,
  region_id SMALLINT NOT NULL,
  flags TINYINT NOT NULL,
  external_id BIGINT NULL,
  amount DECIMAL(12,2) NOT NULL,
  balance DECIMAL(18,4) NULL,
  rate DOUBLE NULL,
  ratio FLOAT NULL,
  currency CHAR(3) NOT NULL,
  status VARCHAR(16) NOT NULL,
  email VARCHAR(64) NOT NULL,
  city VARCHAR(64) NULL,
  reference VARCHAR(64) NOT NULL,
  comment VARCHAR(255) NULL,
  birth_date DATE NULL,
  posted_at DATETIME(6) NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  is_active TINYINT(1) NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY wide20_updated_at_id (updated_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/**
 * Fills `rows` rows. `updated_at` (the cursor) wraps every 40M seconds (20M rows) so no
 * row is stamped in the future (after September 2026), which a run would rightly leave
 * for later; `created_at` (a TIMESTAMP, which ends in January 2038) wraps every 400M
 * seconds. The first 20M rows keep the values they always had.
 */
export async function fillWideTable(
  connection: Connection,
  rows: number,
  log: (line: string) => void,
): Promise<void> {
  const chunk = 250_000;
  for (let done = 0; done < rows; done += chunk) {
    const n = Math.min(chunk, rows - done);
    await connection.query(
      `INSERT INTO wide20 SELECT
         ${done} + s.seq, 1 + s.seq % 100000, s.seq % 300, s.seq % 128, IF(s.seq % 7 = 0, NULL, s.seq * 1000003),
         ROUND((s.seq % 1000000) / 100, 2), IF(s.seq % 5 = 0, NULL, (s.seq % 100000000) / 10000),
         IF(s.seq % 9 = 0, NULL, s.seq / 7), IF(s.seq % 11 = 0, NULL, (s.seq % 1000) / 3),
         ELT(1 + s.seq % 3, 'EUR', 'USD', 'GBP'), ELT(1 + s.seq % 4, 'new', 'active', 'closed', 'suspended'),
         CONCAT('user', ${done} + s.seq, '@example.com'), IF(s.seq % 6 = 0, NULL, ELT(1 + s.seq % 5, 'Berlin', 'Paris', 'Zürich', 'Kraków', 'São Paulo')),
         MD5(${done} + s.seq), IF(s.seq % 3 = 0, NULL, CONCAT('note for row ', ${done} + s.seq)),
         IF(s.seq % 8 = 0, NULL, DATE('1960-01-01') + INTERVAL (s.seq % 15000) DAY),
         TIMESTAMP('2025-01-01') + INTERVAL ((${done} + s.seq) * 13) SECOND + INTERVAL (s.seq % 999999) MICROSECOND,
         TIMESTAMP('2025-01-01') + INTERVAL (((${done} + s.seq) * 11) % 400000000) SECOND,
         s.seq % 2,
         TIMESTAMP('2025-06-01') + INTERVAL (((${done} + s.seq) * 2) % 40000000) SECOND + INTERVAL (s.seq % 1000) MICROSECOND
       FROM seq_1_to_${n} AS s`,
    );
    log(`  filled ${done + n} / ${rows}`);
  }
}
