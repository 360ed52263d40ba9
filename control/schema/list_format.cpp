#include "control/schema/list_format.hpp"

namespace takedown::schema {

TAKEDOWN_ENUM_DEFINE(ListFormat, TAKEDOWN_LIST_FORMATS)

}  // namespace takedown::schema
