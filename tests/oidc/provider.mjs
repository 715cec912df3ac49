// A real OpenID Provider for Growth's single sign-on tests: panva's oidc-provider on
// 127.0.0.1. Anyone may sign in with any login (the development login page); the login is
// the person's email, verified unless it starts with "unverified".
//
//   OIDC_PORT     the port to listen on (the issuer is http://127.0.0.1:<port>)
//   OIDC_CLIENTS  JSON list of {client_id, client_secret, redirect_uris}
//   OIDC_JWKS     JSON private key set the ID tokens are signed with (tests forge with it)
//
// Prints "ready <issuer>" once it listens.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS).map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

const configuration = {
  clients,
  jwks: process.env.OIDC_JWKS ? JSON.parse(process.env.OIDC_JWKS) : undefined,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The email claims go into the ID token itself: Growth reads no userinfo endpoint.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, email: id, email_verified: !id.startsWith('unverified'), name: id,
        };
      },
    };
  },
  // Consent is given once for all: the test clients are first-party applications.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600,
    Session: 3600, Grant: 3600 },
  cookies: { keys: ['growth-test-provider-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
// The browser journey's server listens on a port of its own choosing: any loopback port
// stands for the registered one.
const registered = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function allowed(value) {
  if (registered.call(this, value)) return true;
  const url = URL.canParse(value) ? new URL(value) : null;
  return url !== null && url.hostname === '127.0.0.1' && url.protocol === 'http:'
    && this.redirectUris.some((uri) => new URL(uri).pathname === url.pathname);
};

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
