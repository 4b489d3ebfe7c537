import type { Connection } from "mysql2/promise";

/**
 * A `settlement`-style table as payment teams have them: money in exact decimals,
 * a status enum, nullable settlement time, free text with non-ASCII, and an
 * `updated_at ... ON UPDATE` column indexed with the key — the shape the hybrid
 * keyset strategy is built for.
 */
export const settlementDdl = `
CREATE TABLE settlement (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  merchant_id INT NOT NULL,
  order_ref VARCHAR(32) NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  fee DECIMAL(10,4) NOT NULL,
  currency CHAR(3) NOT NULL,
  status ENUM('pending','settled','refunded','failed') NOT NULL,
  settled_at DATETIME(6) NULL,
  attempts TINYINT UNSIGNED NOT NULL DEFAULT 0,
  fx_rate DOUBLE NULL,
  note VARCHAR(255) NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY settlement_updated_at_id (updated_at, id),
  KEY settlement_merchant (merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

/**
 * Inserts `count` deterministic rows using MariaDB's sequence engine. `history` rows
 * carry back-dated timestamps (an existing table); otherwise `created_at`/`updated_at`
 * take their defaults, as rows written by an application now would.
 */
export async function insertSettlements(
  connection: Connection,
  count: number,
  history = false,
): Promise<void> {
  const chunk = 20_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await connection.query(
      `INSERT INTO settlement (merchant_id, order_ref, amount, fee, currency, status, settled_at, attempts, fx_rate, note${history ? ", created_at, updated_at" : ""})
       SELECT 1 + (s.seq * 7919) % 500,
              CONCAT('ORD-', LPAD(HEX(s.seq * 2654435761 % 4294967291), 8, '0'), '-', @base + s.seq),
              ROUND(((s.seq * 104729) % 9999999) / 100 + 0.01, 2),
              ROUND(((s.seq * 7) % 10000) / 10000 * 2.5, 4),
              ELT(1 + s.seq % 3, 'EUR', 'USD', 'GBP'),
              ELT(1 + s.seq % 4, 'pending', 'settled', 'refunded', 'failed'),
              IF(s.seq % 4 = 1, TIMESTAMP('2026-01-01') + INTERVAL (s.seq * 37) SECOND + INTERVAL (s.seq % 1000000) MICROSECOND, NULL),
              s.seq % 5,
              IF(s.seq % 10 = 0, NULL, 1 + (s.seq % 1000) / 3333),
              ELT(1 + s.seq % 5, NULL, 'ok', 'Zahlung überfällig', '退款处理中', 'paid 💶 late')
              ${history ? `, TIMESTAMP('2026-01-01') + INTERVAL ((@base + s.seq) * 60) SECOND, TIMESTAMP('2026-01-01') + INTERVAL ((@base + s.seq) * 60) SECOND + INTERVAL (s.seq % 1000) MICROSECOND` : ""}
       FROM (SELECT seq FROM seq_1_to_${n}) AS s, (SELECT @base := ${done}) AS b`,
    );
  }
}
