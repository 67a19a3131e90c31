import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";

// PGlite has a single backend session, so exactly one process may open the embedded database.
// The lock file holds the owner's pid; a lock left by a dead process is taken over.
export function acquireEmbeddedLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, "pglite.lock");
  for (let tries = 0; tries < 3; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = lockOwner(file);
      if (owner === process.pid) return () => {};
      if (owner !== null && isAlive(owner)) {
        throw new AppError("database_in_use", `database in use by pid ${owner}; stop it or set DATABASE_URL`, {
          remediation:
            "The embedded database belongs to one process. Stop that process, use the CLI while the app runs (it goes through the app), or move to a Postgres server with DATABASE_URL.",
        });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new AppError("database_in_use", `could not take the embedded database lock at ${file}`);
}

export function lockOwner(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8"), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
