import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

interface TcpSocket {
  readonly localPort: number;
  readonly peerPort: number;
  readonly pids: readonly number[];
}

/**
 * Kills (SIGKILL) the sshd processes serving the SSH connections that process
 * `clientPid` holds to the sshd on `sshPort`: what a bastion restart or a session
 * killed by an administrator looks like to the client. Only those sessions: other
 * test files using the same sshd keep theirs. Returns the server pids killed.
 * Needs `ss` (iproute2) and the right to signal sshd's user (the harness runs as root).
 */
export async function killSshSessionsOf(clientPid: number, sshPort: number): Promise<number[]> {
  const sockets = await establishedTcpSockets();
  const clientPorts = new Set(
    sockets.filter((s) => s.peerPort === sshPort && s.pids.includes(clientPid)).map((s) => s.localPort),
  );
  const serverPids = new Set(
    sockets.filter((s) => s.localPort === sshPort && clientPorts.has(s.peerPort)).flatMap((s) => s.pids),
  );
  for (const pid of serverPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch (thrown) {
      // The session's other process may already be gone with the first one.
      if ((thrown as NodeJS.ErrnoException).code !== "ESRCH") throw thrown;
    }
  }
  return [...serverPids];
}

async function establishedTcpSockets(): Promise<TcpSocket[]> {
  const { stdout } = await run("ss", ["-tnpH", "state", "established"]);
  const sockets: TcpSocket[] = [];
  for (const line of stdout.split("\n")) {
    // Recv-Q Send-Q Local:Port Peer:Port users:(("sshd",pid=123,fd=4),...)
    const fields = line.trim().split(/\s+/);
    const local = fields[2];
    const peer = fields[3];
    if (!local || !peer) continue;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]));
    sockets.push({ localPort: portOf(local), peerPort: portOf(peer), pids });
  }
  return sockets;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}
