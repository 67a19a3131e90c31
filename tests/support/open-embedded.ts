// Opens the embedded database in the data folder given as argv[2]; used by tests as "another process".
import { openEmbedded } from "@/lib/db/open";

try {
  const database = await openEmbedded({ dataDir: process.argv[2]! });
  await database.close();
  console.log("opened");
  process.exit(0);
} catch (error) {
  console.error((error as Error).message);
  process.exit(3);
}
