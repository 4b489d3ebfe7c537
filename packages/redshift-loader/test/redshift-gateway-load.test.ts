import { describeRedshiftPath } from "./redshift-path-suite.js";
import { gatewayTarget } from "./redshift-target.js";

// The loader's real Redshift code path (redshift:// URL, COPY from S3 Parquet) against
// the Redshift-emulating gateway from test-services and the S3 stand-in.
describeRedshiftPath("Redshift load path through the gateway", () =>
  gatewayTarget(`rl-gateway-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`),
);
