// The reference vault client (`ssoconnect login --server URL`): what a vault client does to get
// its master password from SSO Connect (DESIGN.md "Login protocol"):
//
//   1. make a one-time key pair (X25519; RSA-3072 with `rsa`) and a random state;
//   2. listen on http://127.0.0.1:<port>/ssoc/callback (a port the kernel picks);
//   3. open <server>/sso/login?key=<SPKI>&redirect_uri=<callback>&state=<state> in a browser
//      ($BROWSER, else xdg-open, else the URL is printed for the user to open);
//   4. receive the POSTed token form, check that `state` is ours, open the sealed password
//      with the one-time key and the token's session_id.
//
// Only a POST to the callback path with a well-formed token and our state ends the wait; any
// other request is answered 404/400 and ignored, so a stray local page cannot end a login.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "client/token.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::client {

struct LoginOptions {
  std::string server;  // https://host:port
  bool rsa = false;
  std::chrono::seconds timeout{300};
  // Opens the URL in a browser; the default runs $BROWSER / xdg-open or prints the URL.
  std::function<void(const std::string& url)> open_browser;
};

struct LoginResult {
  Token token;
  SecretBytes master_password;
};

Result<LoginResult> login(const LoginOptions& options);

// Runs $BROWSER (its first ':'-separated entry; "%s" is replaced by the URL, else the URL is
// appended as one argument; words split on blanks, no shell), else xdg-open if it exists; else
// prints the URL on stderr. Returns without waiting for the browser.
void open_in_browser(const std::string& url);

}  // namespace ssoc::client
