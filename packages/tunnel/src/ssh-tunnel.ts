import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type SluiceError, sluiceError } from "@sluice/core";
import { errAsync, ResultAsync } from "neverthrow";
import type ssh2 from "ssh2";
import { resolveHostKeyPin } from "./host-key-pin.js";
import { connectSsh } from "./ssh-connect.js";
import { forwardRefusedError } from "./ssh-connection-error.js";
import type { SshTunnel, SshTunnelOptions } from "./ssh-tunnel-options.js";

const loopback = "127.0.0.1";
const defaultReadyTimeoutMs = 20_000;
const defaultKeepaliveIntervalMs = 15_000;

/**
 * Connects to the bastion (host key pinned), then listens on 127.0.0.1 on an
 * ephemeral port and forwards every accepted socket to the target through its own
 * SSH channel. Fails early if the bastion cannot reach the target, so a wrong target
 * surfaces here rather than as a confusing driver error later. When the bastion's
 * session dies (sshd restarted, session killed, network blip), the next connection
 * through the tunnel logs in again (same pinned host key) instead of failing: the
 * driver sees one dropped connection, which the run's retry policy absorbs.
 */
export function openSshTunnel(options: SshTunnelOptions): ResultAsync<SshTunnel, SluiceError> {
  const pin = resolveHostKeyPin(options.hostKey, options.bastion);
  if (pin.isErr()) return errAsync(pin.error);
  const connect = () =>
    connectSsh({
      bastion: options.bastion,
      pin: pin.value,
      readyTimeoutMs: options.readyTimeoutMs ?? defaultReadyTimeoutMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? defaultKeepaliveIntervalMs,
    });
  return connect().andThen((client) => {
    const forwarder = new SshForwarder(client, options, connect);
    return ResultAsync.fromPromise(
      forwarder.probeTarget().then(() => forwarder.listen()),
      (error) => error as SluiceError,
    ).orElse((error) => ResultAsync.fromSafePromise(forwarder.close()).andThen(() => errAsync(error)));
  });
}

class SshForwarder {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly channels = new Set<Duplex>();
  private closing: Promise<void> | undefined;
  private sshClosed = false;
  private reconnecting: Promise<void> | undefined;
  private client: ssh2.Client;
  /** Logins after the first one (the bastion's session died in between). */
  private reconnects = 0;

  constructor(
    client: ssh2.Client,
    private readonly options: SshTunnelOptions,
    private readonly connect: () => ResultAsync<ssh2.Client, SluiceError>,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.client = client;
    this.watch(client);
  }

  private watch(client: ssh2.Client): void {
    // After `ready`, errors (keepalive timeout, reset) end the connection; `close` follows.
    client.on("error", () => {});
    client.once("close", () => {
      if (client !== this.client) return;
      this.sshClosed = true;
      // Sockets forwarded over the dead session are dead too: the driver sees a reset.
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** A new login after the session died; concurrent callers share one attempt. */
  private relogin(): Promise<void> {
    this.reconnecting ??= (async () => {
      try {
        const fresh = await this.connect();
        if (fresh.isErr()) throw fresh.error;
        if (this.closing) {
          fresh.value.end();
          throw this.closedError();
        }
        this.client = fresh.value;
        this.sshClosed = false;
        this.reconnects += 1;
        this.watch(fresh.value);
      } finally {
        this.reconnecting = undefined;
      }
    })();
    return this.reconnecting;
  }

  private closedError(): SluiceError {
    const { bastion, target } = this.options;
    return sluiceError(
      "connection",
      `SSH tunnel to ${target.host}:${target.port} via ${bastion.host}:${bastion.port} is closed; open a new tunnel`,
    );
  }

  /** One throwaway channel: proves the bastion may and can reach the target. */
  async probeTarget(): Promise<void> {
    const channel = await this.openStream();
    channel.destroy();
  }

  async listen(): Promise<SshTunnel> {
    this.server.listen(0, loopback);
    await once(this.server, "listening");
    const address = this.server.address();
    if (address === null || typeof address === "string") {
      throw sluiceError("internal", "SSH tunnel listener has no TCP address; please report");
    }
    return {
      localHost: loopback,
      localPort: address.port,
      openStream: () => this.openStream(),
      reconnects: () => this.reconnects,
      close: () => this.close(),
    };
  }

  async openStream(): Promise<Duplex> {
    const { bastion, target } = this.options;
    if (this.closing) throw this.closedError();
    if (this.sshClosed) await this.relogin();
    return new Promise((resolve, reject) => {
      // The source address is informational for the bastion's logs; loopback says "a local client".
      this.client.forwardOut(loopback, 0, target.host, target.port, (error, channel) => {
        if (error) {
          reject(forwardRefusedError(bastion, target, error));
          return;
        }
        this.channels.add(channel);
        channel.once("close", () => this.channels.delete(channel));
        resolve(channel);
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    // Until the channel exists, a reset from the client must not crash the process.
    socket.on("error", () => socket.destroy());
    this.openStream().then(
      (channel) => {
        if (socket.destroyed) {
          channel.destroy();
          return;
        }
        socket.pipe(channel).pipe(socket);
        channel.on("error", () => socket.destroy());
        channel.once("close", () => socket.destroy());
        socket.once("close", () => channel.destroy());
      },
      // The driver sees a reset connection; the forward error itself is reported by openStream callers.
      () => socket.destroy(),
    );
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const serverClosed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    for (const channel of this.channels) channel.destroy();
    if (!this.sshClosed) {
      // Not events.once: it would reject on an 'error' emitted while ending.
      const sshClosed = new Promise<void>((resolve) => this.client.once("close", () => resolve()));
      this.client.end();
      await sshClosed;
    }
    await serverClosed;
  }
}
