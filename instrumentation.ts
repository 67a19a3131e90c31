// Next.js calls register() once when the server process starts: the place to validate config,
// open (and migrate) the database and start the embedded worker before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { boot } = await import("@/lib/server/boot");
  await boot();
}
