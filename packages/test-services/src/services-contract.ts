/**
 * Endpoints of the private services one test run (or one demo) starts. Everything
 * listens on 127.0.0.1 on an ephemeral port and lives in a temp directory that is
 * removed on teardown.
 */
export interface MysqlEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** A database created empty for tests; tests create their own tables (unique names). */
  readonly database: string;
  /** mysql://user:password@127.0.0.1:port/database */
  readonly url: string;
  /** Path of the `mariadb` client binary (for reference measurements and seeding). */
  readonly clientBinary: string;
  readonly socketPath: string;
}

export interface PostgresEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** postgres://user:password@127.0.0.1:port/database */
  readonly url: string;
}

export interface S3Endpoint {
  /** http://127.0.0.1:port */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket created empty for tests; tests use unique prefixes inside it. */
  readonly bucket: string;
}

export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** OpenSSH-format private key (PEM text) accepted for `user`. */
  readonly privateKey: string;
  /** The server's host public key line as in known_hosts (`ssh-ed25519 AAAA...`), for pinning. */
  readonly hostPublicKey: string;
  /** SHA256 fingerprint of the host key, `SHA256:base64` as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
}

/**
 * The Redshift-emulating gateway (PostgreSQL wire protocol in front of the private
 * PostgreSQL, COPY from the S3 stand-in). Same user, password and database as
 * `postgres`; its buckets are those of `s3`.
 */
export interface RedshiftEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** A well-formed role ARN for COPY's IAM_ROLE (the gateway checks the form, not the role). */
  readonly iamRole: string;
  /** redshift://user:password@127.0.0.1:port/database?sslmode=disable&iam_role=... */
  readonly url: string;
}

export interface SluiceServices {
  readonly mysql: MysqlEndpoint;
  readonly postgres: PostgresEndpoint;
  readonly s3: S3Endpoint;
  readonly ssh: SshEndpoint;
  readonly redshift: RedshiftEndpoint;
}

declare module "vitest" {
  export interface ProvidedContext {
    sluiceServices: SluiceServices;
  }
}
