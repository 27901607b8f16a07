// git knot hook <name>: placeholder until the hooks land (replaced by the hooks work).
#include "command.hpp"

namespace knot::cli {

int cmd_hook(const std::vector<std::string>&) { return 0; }

} // namespace knot::cli
