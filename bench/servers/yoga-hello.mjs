// Case C, GraphQL's floor: a Yoga server with a trivial `{ hello }` schema and Yoga's defaults,
// on node:http as the gateway's Node entry is. Prints `ready <port>` when it listens.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'world' } },
  }),
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`ready ${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
