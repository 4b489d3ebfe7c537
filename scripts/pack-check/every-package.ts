// Type-checked, never run: pulls every publishable package's public declarations into
// the consumer's strict program (skipLibCheck false), so a .d.ts that needs a type
// package its dependencies do not bring (pg, node, ssh2) fails here, as for a user.
import type * as airflowBridge from "@sluice/airflow-bridge";
import type * as cdcStrategies from "@sluice/cdc-strategies";
import type * as cli from "@sluice/cli";
import type * as connectors from "@sluice/connectors";
import type * as core from "@sluice/core";
import type * as parquetWriter from "@sluice/parquet-writer";
import type * as pipeline from "@sluice/pipeline";
import type * as redshiftLoader from "@sluice/redshift-loader";
import type * as tunnel from "@sluice/tunnel";
import type * as watermarkStore from "@sluice/watermark-store";

export type EveryPackage = [
  typeof airflowBridge,
  typeof cdcStrategies,
  typeof cli,
  typeof connectors,
  typeof core,
  typeof parquetWriter,
  typeof pipeline,
  typeof redshiftLoader,
  typeof tunnel,
  typeof watermarkStore,
];
