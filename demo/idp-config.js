// User profile and attribute list of the demo IdP (npm saml-idp, option --configFile).
//
// saml-idp sends one SAML attribute per entry of `metadata`: the attribute Name is the entry's
// `id` and its value is the user's property of the same name. The login page shows one
// editable text field per entry (input id/name = the entry's id) plus the Subject NameID field
// (id/name "userName"); whatever is in those fields when "Sign in" is pressed is what the IdP
// asserts. There is no password.
//
// The demo user comes from the environment (set by start-idp.sh), defaulting to
// demo@example.test / Demo / User.
//
// `user` is a getter on purpose: saml-idp assigns `config.user` to every request and its sign-in
// handler writes the submitted fields into that object. With a plain object the last login's
// fields would stick and become the default for every later login; with the getter each page
// starts again from the demo user, so a test that does not change the fields always logs in as
// the demo user.
'use strict';

function demoUser() {
  const email = process.env.SSOC_IDP_EMAIL || 'demo@example.test';
  return {
    userName: email, // Subject NameID
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    Email: email,
    First: process.env.SSOC_IDP_FIRST || 'Demo',
    Last: process.env.SSOC_IDP_LAST || 'User',
  };
}

const metadata = [
  { id: 'Email', optional: false, displayName: 'E-mail', description: 'E-mail address', multiValue: false },
  { id: 'First', optional: false, displayName: 'First name', description: 'Given name', multiValue: false },
  { id: 'Last', optional: false, displayName: 'Last name', description: 'Surname', multiValue: false },
];

module.exports = {
  get user() {
    return demoUser();
  },
  metadata,
};
