// The gitremote-helpers(7) conversation: capabilities, option, list, fetch and push batches,
// read from `in` and answered on `out`.
#pragma once

#include <iosfwd>
#include <string>

namespace knot::remote {

// Serves git until it closes the conversation (a blank line or end of input). Throws
// knot::Error for a failure that ends the whole conversation; a refused push is answered, not
// thrown. `url` is the remote's URL without "knot::".
void serve(const std::string& url, std::istream& in, std::ostream& out);

} // namespace knot::remote
