// Typed fetch clients for the services, from the TypeScript types generated
// out of openapi/<service>.json (clients/typescript/, scripts/test-clients.sh).
import createClient from 'openapi-fetch';
import type { APIRequestContext } from '@playwright/test';
import type { paths as GatewayPaths } from '../../clients/typescript/gateway';
import type { paths as AuthPaths } from '../../clients/typescript/auth';
import type { paths as ProfilePaths } from '../../clients/typescript/profile';
import type { paths as IntegrationsPaths } from '../../clients/typescript/integrations';
import type { paths as RecommenderPaths } from '../../clients/typescript/recommender';
import type { paths as WebPaths } from '../../clients/typescript/web';

export type { components as GatewayComponents } from '../../clients/typescript/gateway';

/** A `fetch` over Playwright's request context, so a client's calls share the
 *  test's settings: on the production topology Caddy's certificate comes from
 *  its own local CA, which Node's fetch would refuse (`ignoreHTTPSErrors`). */
export function fetchVia(request: APIRequestContext): (input: Request) => Promise<Response> {
  return async (input: Request) => {
    const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
    const answer = await request.fetch(input.url, {
      method: input.method,
      headers: Object.fromEntries(input.headers.entries()),
      data: body,
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    const status = answer.status();
    const empty = [204, 205, 304].includes(status);
    return new Response(empty ? null : new Uint8Array(await answer.body()), { status, headers: answer.headers() });
  };
}

/** The gateway: the public front door (`/health` is its own; the rest is forwarded). */
export const gatewayClient = (baseUrl: string, request?: APIRequestContext) =>
  createClient<GatewayPaths>({ baseUrl, ...(request ? { fetch: fetchVia(request) } : {}) });
export const authClient = (baseUrl: string) => createClient<AuthPaths>({ baseUrl });
export const profileClient = (baseUrl: string) => createClient<ProfilePaths>({ baseUrl });
export const integrationsClient = (baseUrl: string) => createClient<IntegrationsPaths>({ baseUrl });
export const recommenderClient = (baseUrl: string) => createClient<RecommenderPaths>({ baseUrl });
export const webClient = (baseUrl: string) => createClient<WebPaths>({ baseUrl });
