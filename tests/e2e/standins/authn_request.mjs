// Builds a SAML 2.0 AuthnRequest for the HTTP-Redirect binding (deflate + base64 + URL query),
// optionally signed the way the binding signs (SigAlg + Signature over the query string).
// Part of the stand-ins: used only to check the demo IdP and the browser driver, not by the
// real end-to-end tests (there SSO Connect makes the AuthnRequest).
import { createSign, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

export function newRequestId() {
  return '_' + randomBytes(16).toString('hex');
}

// Returns { id, xml, url }.
export function authnRequestUrl({ ssoUrl, spEntityId, acsUrl, relayState, id = newRequestId(), signKeyPem }) {
  const now = new Date().toISOString();
  const xml =
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="${id}" Version="2.0" IssueInstant="${now}" Destination="${ssoUrl}" ` +
    `AssertionConsumerServiceURL="${acsUrl}" ` +
    'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">' +
    `<saml:Issuer>${spEntityId}</saml:Issuer>` +
    '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/>' +
    '</samlp:AuthnRequest>';
  let query = 'SAMLRequest=' + encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'));
  if (relayState !== undefined) query += '&RelayState=' + encodeURIComponent(relayState);
  if (signKeyPem) {
    query += '&SigAlg=' + encodeURIComponent(RSA_SHA256);
    const signature = createSign('RSA-SHA256').update(query).sign(signKeyPem, 'base64');
    query += '&Signature=' + encodeURIComponent(signature);
  }
  return { id, xml, url: ssoUrl + (ssoUrl.includes('?') ? '&' : '?') + query };
}
