// The database schema as an ordered list of migrations, private to the store.
#pragma once

#include <span>
#include <string_view>

namespace knot::server {

// Migration i (0-based) takes the schema from user_version i to i + 1. Never edit one that has
// shipped: add a new one at the end.
std::span<const std::string_view> migrations();

} // namespace knot::server
