// Fuzzes what an MCP client's message reaches before any tool runs (mcp/json_rpc.*, mcp/schema.*):
// the JSON-RPC reading, then, for a tools/call, its arguments checked against every tool's input
// schema. A client of `git knot mcp --port` may be anyone who reaches the port.
#include "mcp/json_rpc.hpp"
#include "mcp/schema.hpp"
#include "mcp/tools.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const knot::mcp::Message message = knot::mcp::parse_message(text);
        const auto arguments = message.params.find("arguments");
        const nlohmann::json& args =
            arguments == message.params.end() ? message.params : *arguments;
        for (const auto& tool : knot::mcp::tools())
            static_cast<void>(knot::mcp::schema::violation(tool.input_schema, args));
    } catch (const knot::mcp::RpcError&) {
        // Refused with its JSON-RPC code: what the client is told.
    }
    return 0;
}
