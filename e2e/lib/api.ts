// Typed fetch clients for the services, from the TypeScript types generated
// out of openapi/<service>.json (clients/typescript/, scripts/test-clients.sh).
import createClient from 'openapi-fetch';
import type { paths as GatewayPaths } from '../../clients/typescript/gateway';
import type { paths as AuthPaths } from '../../clients/typescript/auth';
import type { paths as ProfilePaths } from '../../clients/typescript/profile';
import type { paths as IntegrationsPaths } from '../../clients/typescript/integrations';
import type { paths as RecommenderPaths } from '../../clients/typescript/recommender';
import type { paths as WebPaths } from '../../clients/typescript/web';

export type { components as GatewayComponents } from '../../clients/typescript/gateway';

/** The gateway: the public front door (`/health` is its own; the rest is forwarded). */
export const gatewayClient = (baseUrl: string) => createClient<GatewayPaths>({ baseUrl });
export const authClient = (baseUrl: string) => createClient<AuthPaths>({ baseUrl });
export const profileClient = (baseUrl: string) => createClient<ProfilePaths>({ baseUrl });
export const integrationsClient = (baseUrl: string) => createClient<IntegrationsPaths>({ baseUrl });
export const recommenderClient = (baseUrl: string) => createClient<RecommenderPaths>({ baseUrl });
export const webClient = (baseUrl: string) => createClient<WebPaths>({ baseUrl });
