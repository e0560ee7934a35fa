// A real, certified OpenID provider (oidc-provider 9) standing in for Google in
// the end-to-end tests: plain http on 127.0.0.1, built-in login and consent
// pages (any login/password is accepted; the login becomes `sub`).
//
//   PORT=18100 CLIENT_ID=onetip CLIENT_SECRET=secret \
//   REDIRECT_URI=http://127.0.0.1:18080/auth/google/callback node op.mjs
//
// Then GOOGLE_ISSUER_URL=http://127.0.0.1:$PORT. TOKEN_AUTH=client_secret_post
// switches the token endpoint's client authentication.
import Provider from 'oidc-provider';
import { generateKeyPairSync } from 'node:crypto';

const PORT = Number(process.env.PORT ?? 18100);
const CLIENT_ID = process.env.CLIENT_ID ?? 'onetip-e2e';
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'onetip-e2e-secret';
const REDIRECT_URI = process.env.REDIRECT_URI ?? 'http://127.0.0.1:18080/auth/google/callback';
const TOKEN_AUTH = process.env.TOKEN_AUTH ?? 'client_secret_basic';
const issuer = `http://127.0.0.1:${PORT}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: TOKEN_AUTH,
    },
  ],
  pkce: { required: () => true },
  conformIdTokenClaims: false, // put email/name into the id_token, as Google does
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  jwks: { keys: [jwk] },
  features: { devInteractions: { enabled: true } }, // built-in login/consent pages
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, name: `Test ${id}` };
      },
    };
  },
});

const server = provider.listen(PORT, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} (client ${CLIENT_ID}, redirect ${REDIRECT_URI})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
