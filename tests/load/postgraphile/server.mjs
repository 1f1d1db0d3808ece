// PostGraphile v5 on the Plejelink PostgreSQL database: the peer of the load comparison
// (docs/performance.md). Amber preset, production mode, no GraphiQL, no watch; a pool of 16
// connections per process like Plejelink's. WORKERS=N forks N server processes on one port
// (node:cluster), so the peer may use every core as Plejelink's threads do.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench PORT=5678 WORKERS=2 node_modules/.bin/node server.mjs
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const workers = Number(process.env.WORKERS ?? "1");
const port = Number(process.env.PORT ?? "5678");

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exitCode = 1;
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers)) worker.kill();
    process.exit();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: ["public"],
        poolConfig: { max: 16 },
      }),
    ],
    grafserv: { port, graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server);
  server.listen(port, "127.0.0.1", () => console.error(`postgraphile ${process.pid} listening on ${port}`));
  const stop = async () => {
    server.close();
    await pgl.release();
    process.exit();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
