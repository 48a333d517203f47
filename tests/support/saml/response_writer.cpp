// make_response and its companions: the IdP's key, metadata and the HTTP-POST binding's body.
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/encoding.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/saml/xml_security.hpp"
#include "support/saml/xml_tree.hpp"
#include "support/test_env.hpp"

namespace ssoc::test::saml {

namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void run_or_throw(const std::string& command) {
  std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::array<char, 4096> buffer;
  std::string output;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + output);
}

std::string escape(const std::string& text) {
  return ssoc::markup_escape(text);
}

std::string instant(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + escape(value) + "\"";
}

void write_assertion(std::ostringstream& xml, const ResponseSpec& spec, const std::string& id) {
  const std::time_t issued = spec.issue_instant.value_or(spec.now);
  xml << "<saml:Assertion xmlns:saml=\"" << detail::kAssertionNs
      << "\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
         " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      << attr("ID", id) << " Version=\"2.0\"" << attr("IssueInstant", instant(issued)) << ">";
  if (!spec.omit_assertion_issuer) {
    xml << "<saml:Issuer>"
        << escape(spec.assertion_issuer.empty() ? spec.idp_entity_id : spec.assertion_issuer)
        << "</saml:Issuer>";
  }
  xml << "<saml:Subject><saml:NameID" << attr("Format", spec.name_id_format) << ">"
      << escape(spec.name_id) << "</saml:NameID>";
  if (!spec.omit_bearer) {
    xml << "<saml:SubjectConfirmation" << attr("Method", spec.subject_confirmation_method) << ">";
    if (!spec.omit_subject_confirmation_data) {
      xml << "<saml:SubjectConfirmationData";
      if (!spec.omit_subject_not_on_or_after) {
        xml << attr("NotOnOrAfter", instant(spec.subject_not_on_or_after.value_or(spec.now + 300)));
      }
      if (!spec.in_response_to.empty()) xml << attr("InResponseTo", spec.in_response_to);
      if (!spec.omit_recipient) xml << attr("Recipient", spec.recipient);
      xml << "/>";
    }
    xml << "</saml:SubjectConfirmation>";
  }
  xml << "</saml:Subject>";
  xml << "<saml:Conditions" << attr("NotBefore", instant(spec.not_before.value_or(spec.now - 60)))
      << attr("NotOnOrAfter", instant(spec.not_on_or_after.value_or(spec.now + 300))) << ">";
  if (!spec.omit_audience) {
    xml << "<saml:AudienceRestriction><saml:Audience>" << escape(spec.audience)
        << "</saml:Audience></saml:AudienceRestriction>";
  }
  xml << "</saml:Conditions>";
  if (!spec.omit_authn_statement) {
    xml << "<saml:AuthnStatement" << attr("AuthnInstant", instant(issued))
        << attr("SessionIndex", detail::random_id())
        << "><saml:AuthnContext><saml:AuthnContextClassRef>"
           "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
           "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>";
  }
  if (!spec.attributes.empty()) {
    xml << "<saml:AttributeStatement>";
    for (const auto& [name, value] : spec.attributes) {
      xml << "<saml:Attribute" << attr("Name", name)
          << " NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\">"
             "<saml:AttributeValue xsi:type=\"xs:string\">"
          << escape(value) << "</saml:AttributeValue></saml:Attribute>";
    }
    xml << "</saml:AttributeStatement>";
  }
  xml << "</saml:Assertion>";
}

std::string unsigned_response(const ResponseSpec& spec) {
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      << "<samlp:Response xmlns:samlp=\"" << detail::kProtocolNs << "\" xmlns:saml=\""
      << detail::kAssertionNs << "\""
      << attr("ID", spec.response_id.empty() ? detail::random_id() : spec.response_id)
      << " Version=\"2.0\"" << attr("IssueInstant", instant(spec.issue_instant.value_or(spec.now)));
  if (!spec.omit_destination) xml << attr("Destination", spec.destination);
  if (!spec.in_response_to.empty()) xml << attr("InResponseTo", spec.in_response_to);
  xml << "><saml:Issuer>"
      << escape(spec.response_issuer.empty() ? spec.idp_entity_id : spec.response_issuer)
      << "</saml:Issuer>"
      << "<samlp:Status><samlp:StatusCode" << attr("Value", spec.status) << "/></samlp:Status>";
  for (int i = 0; i < spec.assertion_count; ++i)
    write_assertion(xml, spec, spec.assertion_id.empty() ? detail::random_id() : spec.assertion_id);
  xml << "</samlp:Response>";
  return xml.str();
}

// An exclusive flock on a file, released when the object dies.
class FileLock {
 public:
  explicit FileLock(const fs::path& file)
      : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) == 0) return;
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot lock " + file.string());
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

}  // namespace

IdpKey make_idp_key(const fs::path& dir, const std::string& cn) {
  IdpKey key{(dir / (cn + ".key.pem")).string(), (dir / (cn + ".cert.pem")).string()};
  fs::create_directories(dir);
  // Several test processes may share the folder: one makes the pair, the others wait for it.
  FileLock lock(dir / ".make_idp_key.lock");
  if (fs::exists(key.key_pem_file) && fs::exists(key.cert_pem_file)) return key;
  run_or_throw("openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout " +
               shell_quote(key.key_pem_file) + " -out " + shell_quote(key.cert_pem_file) +
               " -subj " + shell_quote("/CN=" + cn));
  return key;
}

std::string idp_metadata_xml(const std::string& entity_id, const std::string& cert_pem_file,
                             const std::string& sso_url) {
  if (!std::ifstream(cert_pem_file)) throw std::invalid_argument("cannot read " + cert_pem_file);
  std::string body = ssoc::test::pem_body(cert_pem_file);
  if (body.empty()) throw std::invalid_argument(cert_pem_file + " holds no PEM certificate");
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
         " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
      << attr("entityID", entity_id) << ">\n"
      << "  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\""
         " protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n"
      << "    <md:KeyDescriptor use=\"signing\">\n"
      << "      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n"
      << body << "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n"
      << "    </md:KeyDescriptor>\n"
      << "    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
         "</md:NameIDFormat>\n"
      << "    <md:SingleSignOnService"
         " Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\""
      << attr("Location", sso_url) << "/>\n"
      << "  </md:IDPSSODescriptor>\n"
      << "</md:EntityDescriptor>\n";
  return xml.str();
}

std::string make_response(const ResponseSpec& spec) {
  if (spec.assertion_count < 0) throw std::invalid_argument("assertion_count is negative");
  if (spec.assertion_count > 1 && !spec.assertion_id.empty())
    throw std::invalid_argument(
        "assertion_id is set with assertion_count > 1; use "
        "duplicate_assertion_id for assertions sharing an ID");
  if ((spec.sign_assertion || spec.sign_response) &&
      (spec.signer.key_pem_file.empty() || spec.signer.cert_pem_file.empty()))
    throw std::invalid_argument("ResponseSpec::signer is empty (make one with make_idp_key)");
  detail::ensure_xmlsec();
  detail::Doc doc = detail::parse_xml(unsigned_response(spec));
  detail::register_ids(doc.get());
  xmlNode* response = xmlDocGetRootElement(doc.get());
  const detail::SigningAlgorithms algorithms{spec.digest, spec.signature};
  auto assertions = detail::find_all(response, detail::kAssertionNs, "Assertion");
  for (xmlNode* assertion : assertions) {
    if (spec.sign_assertion)
      detail::sign_element(assertion, spec.signer.key_pem_file, spec.signer.cert_pem_file,
                           algorithms);
    if (spec.encrypt_to_cert_pem_file)
      detail::encrypt_assertion(assertion, *spec.encrypt_to_cert_pem_file, spec.data_encryption,
                                spec.key_transport);
  }
  if (spec.sign_response)
    detail::sign_element(response, spec.signer.key_pem_file, spec.signer.cert_pem_file, algorithms);
  return detail::serialize(doc.get());
}

std::string base64(const std::string& xml) {
  std::string out(4 * ((xml.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(xml.data()),
                          static_cast<int>(xml.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string form_body(const std::string& xml, const std::string& relay_state) {
  return "SAMLResponse=" + url_encode(base64(xml)) + "&RelayState=" + url_encode(relay_state);
}

}  // namespace ssoc::test::saml
