/**
 * The fault suite's PostgreSQL: a throwaway cluster of its own (tests/faults/cluster.ts), never
 * $DATABASE_URL's server, because the suite stops, restarts and freezes it. Test files get it as
 * WEFT_TEST_SERVER_URL (so tests/helpers/database.ts creates their databases there) and as
 * WEFT_FAULTS_CLUSTER (to control it). The figures file starts empty each run.
 */
import { startCluster } from "./cluster";
import { resetFigures } from "./figures";

export default async function setup(): Promise<() => Promise<void>> {
  resetFigures();
  const cluster = await startCluster();
  process.env.WEFT_TEST_SERVER_URL = cluster.url;
  process.env.WEFT_FAULTS_CLUSTER = JSON.stringify(cluster.info);
  return () => cluster.destroy();
}
