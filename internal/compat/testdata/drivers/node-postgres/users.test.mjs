// The node-postgres fixtures of ../README.md: the previous release's
// queries (../queries.sql) against the migrated schema, their errors thrown
// to node's test runner (STYLE=throw) or logged as JSON lines
// (STYLE=json, as pino and winston write them).
import { test } from 'node:test';
import assert from 'node:assert';
import { readFileSync } from 'node:fs';
import pg from 'pg';

const queries = readFileSync(new URL('../queries.sql', import.meta.url), 'utf8').trim().split('\n');

queries.forEach((q, i) => {
  test(`query${i + 1}`, async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      if (process.env.STYLE === 'json') {
        try {
          await client.query(q);
        } catch (err) {
          console.log(JSON.stringify({ level: 50, msg: 'query failed', err: { type: err.name, message: err.message, code: err.code } }));
          assert.fail('query failed');
        }
        return;
      }
      await client.query(q);
    } finally {
      await client.end();
    }
  });
});
