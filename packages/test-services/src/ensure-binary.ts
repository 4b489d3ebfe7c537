import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

/**
 * Finds a server binary among `candidates`; when none exists and we are root, installs
 * the Debian package that ships it (a fresh CI machine), else fails naming the package.
 */
export function ensureBinary(candidates: readonly string[], debianPackage: string): string {
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${candidates[0]} not found: install the Debian package ${debianPackage} (sudo apt-get install -y ${debianPackage})`,
    );
  }
  const install = () =>
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", debianPackage], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  try {
    install();
  } catch {
    execFileSync("apt-get", ["update"], { stdio: "ignore" });
    install();
  }
  const installed = candidates.find((path) => existsSync(path));
  if (!installed) throw new Error(`installed ${debianPackage} but ${candidates[0]} is still missing`);
  return installed;
}

/** PostgreSQL's versioned bin directory (Debian: /usr/lib/postgresql/<major>/bin), newest first. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(`${root}/${entry}/bin/initdb`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return `${root}/${versions[0]}/bin`;
  return ensureBinary(["/usr/lib/postgresql/15/bin/initdb"], "postgresql-15").replace(/\/initdb$/, "");
}
