export { type GatewayEnv, readEnv, type Upstream } from './env.ts';
export { createGateway, type Gateway, type GatewayConfig, SEED_QUERY } from './gateway.ts';
export { schema } from './schema/index.ts';
