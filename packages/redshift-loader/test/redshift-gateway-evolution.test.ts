import { describeRedshiftEvolution } from "./redshift-evolution-suite.js";
import { gatewayTarget } from "./redshift-target.js";

// Schema evolution on the loader's Redshift code path (SVV_COLUMNS, ALTER COLUMN TYPE
// outside the transaction, rebuild inside it, COPY from S3 Parquet) through the gateway.
describeRedshiftEvolution("Redshift schema evolution through the gateway", () =>
  gatewayTarget(`rl-evolve-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`),
);
