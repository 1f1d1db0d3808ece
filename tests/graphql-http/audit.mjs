// Runs graphql-http's GraphQL-over-HTTP server audits against the URL in argv[2] and prints one
// JSON line: [{ id, name, status, reason }], status "ok", "notice" (MAY), "warn" (SHOULD) or
// "error" (MUST). The black-box test api_answers::graphql_over_http_audit judges the results.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? undefined : result.reason,
  });
}
console.log(JSON.stringify(results));
