#include "saml/idp_metadata.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::saml {
namespace {

constexpr std::string_view kMd = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr std::string_view kDs = "http://www.w3.org/2000/09/xmldsig#";
constexpr std::string_view kSaml2Protocol = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr std::string_view kRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

constexpr std::string_view kFix = "download the metadata of this application again from the IdP";

Error bad(const std::string& source, std::string_view problem, std::string_view fix = kFix) {
  return fail(Cause::InvalidSetting,
              "idp_metadata_file " + source + " " + std::string(problem) + "; " + std::string(fix));
}

// The EntityDescriptors under `node` (itself, or inside nested EntitiesDescriptors) that hold
// an IDPSSODescriptor.
void collect_idps(const xmlNode* node, std::vector<const xmlNode*>& idps) {
  if (is_element(node, kMd, "EntityDescriptor")) {
    if (!child_elements(node, kMd, "IDPSSODescriptor").empty()) idps.push_back(node);
    return;
  }
  if (is_element(node, kMd, "EntitiesDescriptor")) {
    for (const xmlNode* child = node->children; child != nullptr; child = child->next)
      collect_idps(child, idps);
  }
}

// The IDPSSODescriptor that speaks SAML 2.0, or null.
const xmlNode* saml2_idp_descriptor(const xmlNode* entity) {
  for (const xmlNode* idp : child_elements(entity, kMd, "IDPSSODescriptor")) {
    std::string protocols = attribute(idp, "protocolSupportEnumeration").value;
    std::size_t pos = 0;
    while (pos < protocols.size()) {
      std::size_t end = protocols.find_first_of(" \t\r\n", pos);
      if (end == std::string::npos) end = protocols.size();
      if (std::string_view(protocols).substr(pos, end - pos) == kSaml2Protocol) return idp;
      pos = end + 1;
    }
  }
  return nullptr;
}

std::string without_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

// The DER certificate in one ds:X509Certificate element, checked to parse.
Result<Bytes> decode_certificate(const xmlNode* element, const std::string& source,
                                 std::size_t number) {
  const std::string which = "signing certificate " + std::to_string(number);
  auto der = base64_decode(without_whitespace(text_content(element)));
  if (!der || der->empty()) return bad(source, "has a " + which + " that is not valid base64");
  const unsigned char* p = der->data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!cert || p != der->data() + der->size()) {
    (void)ossl::last_error();
    return bad(source, "has a " + which + " that is not an X.509 certificate (DER)");
  }
  return Bytes(der->begin(), der->end());
}

Result<std::vector<Bytes>> signing_certificates(const xmlNode* idp, const std::string& source) {
  std::vector<Bytes> certificates;
  for (const xmlNode* descriptor : child_elements(idp, kMd, "KeyDescriptor")) {
    Attribute use = attribute(descriptor, "use");
    if (use.present && use.value != "signing") continue;
    for (const xmlNode* key_info : child_elements(descriptor, kDs, "KeyInfo")) {
      for (const xmlNode* data : child_elements(key_info, kDs, "X509Data")) {
        for (const xmlNode* cert : child_elements(data, kDs, "X509Certificate")) {
          certificates.push_back(TRY(decode_certificate(cert, source, certificates.size() + 1)));
        }
      }
    }
  }
  if (certificates.empty())
    return bad(source,
               "has no signing certificate (no KeyDescriptor use=\"signing\" with an "
               "X509Certificate), so no SAML response could be verified",
               "download the IdP's metadata including its signing certificate");
  return certificates;
}

std::string redirect_location(const xmlNode* idp) {
  for (const xmlNode* service : child_elements(idp, kMd, "SingleSignOnService")) {
    if (attribute(service, "Binding").value == kRedirectBinding)
      return attribute(service, "Location").value;
  }
  return {};
}

Error unreadable(int err, const fs::path& file) {
  const std::string name = file.string();
  if (err == ENOENT || err == ENOTDIR)
    return bad(name, "does not exist", "download the IdP's metadata and save it there");
  return bad(name, std::string("cannot be read (") + std::strerror(err) + ")",
             "give this user read access to it");
}

}  // namespace

Result<IdpMetadata> parse_idp_metadata(ByteView xml, const std::string& source) {
  std::string problem;
  XmlDoc doc = parse_xml(xml, problem);
  if (!doc) return bad(source, problem);
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!is_element(root, kMd, "EntityDescriptor") && !is_element(root, kMd, "EntitiesDescriptor"))
    return bad(source,
               "is not SAML 2.0 metadata (its root is not an md:EntityDescriptor or "
               "md:EntitiesDescriptor)");

  std::vector<const xmlNode*> idps;
  collect_idps(root, idps);
  if (idps.empty())
    return bad(source,
               "describes no identity provider (no md:IDPSSODescriptor): is it the metadata of a "
               "service provider?");
  if (idps.size() > 1)
    return bad(source,
               "describes " + std::to_string(idps.size()) +
                   " identity providers; SSO Connect needs exactly one",
               "save the metadata of your IdP alone");

  const xmlNode* entity = idps.front();
  IdpMetadata metadata;
  metadata.entity_id = attribute(entity, "entityID").value;
  if (metadata.entity_id.empty()) return bad(source, "has an EntityDescriptor without entityID");
  const xmlNode* idp = saml2_idp_descriptor(entity);
  if (idp == nullptr)
    return bad(source, "has an IDPSSODescriptor that does not support the SAML 2.0 protocol");
  metadata.signing_certificates = TRY(signing_certificates(idp, source));
  metadata.sso_redirect_url = redirect_location(idp);
  if (metadata.sso_redirect_url.empty())
    return bad(source,
               "has no SingleSignOnService with the HTTP-Redirect binding, which SSO Connect uses "
               "to send users to the IdP",
               "enable the HTTP-Redirect binding at the IdP and download its metadata again");
  return metadata;
}

Result<IdpMetadata> read_idp_metadata(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return unreadable(errno, file);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return unreadable(errno, file);
  if (!S_ISREG(info.st_mode))
    return bad(file.string(), "is not a regular file", "name the IdP's metadata file");
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxXmlSize)
    return bad(file.string(), "is " + std::to_string(info.st_size) + " bytes long, more than the " +
                                  std::to_string(kMaxXmlSize) + " allowed for SAML metadata");
  // One byte more than allowed, so that the parser sees (and names) an oversized file.
  Bytes data(kMaxXmlSize + 1);
  std::size_t total = 0;
  while (total < data.size()) {
    ssize_t n = ::read(fd, data.data() + total, data.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(errno, file);
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  data.resize(total);
  return parse_idp_metadata(data, file.string());
}

}  // namespace ssoc::saml
