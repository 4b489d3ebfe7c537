// Runs s3rver in its own process. It must run under `node --openssl-legacy-provider`:
// without it, truncated ListObjectsV2 pages answer HTTP 500 (see ARCHITECTURE.md).
// Usage: node --openssl-legacy-provider s3rver-runner.cjs <directory> <bucket>
// Prints {"port": N} on stdout once listening.
const S3rver = require("s3rver");

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.run().then(
  (address) => {
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  },
  (error) => {
    process.stderr.write(`s3rver failed: ${error.stack || error}\n`);
    process.exit(1);
  },
);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
