export { type FaultyS3Proxy, startFaultyS3Proxy } from "./faulty-s3-proxy.js";
export {
  type RedshiftGatewayOptions,
  type RunningRedshiftGateway,
  startRedshiftGateway,
} from "./redshift-gateway/start-redshift-gateway.js";
export type {
  MysqlEndpoint,
  PostgresEndpoint,
  RedshiftEndpoint,
  S3Endpoint,
  SluiceServices,
  SshEndpoint,
} from "./services-contract.js";
export { killSshSessionsOf } from "./ssh-session-kill.js";
export type { RunningServices, ServiceName } from "./start-services.js";
export { startServices } from "./start-services.js";
export { createTestMysqlConnection, createTestPgClient, createTestS3Client } from "./test-clients.js";
