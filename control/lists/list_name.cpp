#include "control/lists/list_name.hpp"

#include <idn2.h>

#include <cstdlib>

#include "filters/match/domain_name.hpp"

namespace takedown::control {

bool list_name(std::string_view raw, std::string& out, std::string& why) {
  bool ascii = true;
  for (char c : raw) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string converted;
  if (!ascii) {
    const std::string input(raw);
    char* alabel = nullptr;
    int rc = idn2_to_ascii_8z(input.c_str(), &alabel, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK)
      rc = idn2_to_ascii_8z(input.c_str(), &alabel, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    if (rc != IDN2_OK) {
      why = std::string("not a valid internationalised name: ") + idn2_strerror(rc);
      return false;
    }
    converted = alabel;
    idn2_free(alabel);
    raw = converted;
  }
  filters::DomainName name;
  const filters::NameStatus status = name.assign(raw);
  if (status != filters::NameStatus::Ok) {
    why = "not a valid domain name: " + std::string(filters::to_string(status));
    return false;
  }
  out.assign(name.view());
  return true;
}

filters::NameStatus normalise_typed_name(std::string_view input, filters::DomainName& out,
                                         std::string& scratch) {
  bool ascii = true;
  for (char c : input) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return out.assign(input);
  std::string why;
  if (!list_name(input, scratch, why)) return filters::NameStatus::BadCharacter;
  return out.assign(scratch);
}

}  // namespace takedown::control
