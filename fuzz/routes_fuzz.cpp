// Fuzzes every route of the API through the real Router and Store (on a temporary SQLite file)
// with fuzzed bodies, queries and headers, signed by fixed test keys when the input asks for it.
#include "fuzz/fuzz_input.hpp"
#include "libknot/base/error.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/event_hub.hpp"
#include "server/router.hpp"
#include "server/store.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace knot;
using namespace knot::server;

namespace {

// Every route add_all_routes registers; a route missing here is one the fuzzer never reaches.
struct RouteSpec {
    const char* method;
    const char* pattern;
};
constexpr std::array<RouteSpec, 32> k_routes{{
    {"GET", "/v1/health"},
    {"GET", "/join"},
    {"POST", "/v1/rooms"},
    {"GET", "/v1/rooms/{room}"},
    {"GET", "/v1/rooms/{room}/agents"},
    {"POST", "/v1/rooms/{room}/agents"},
    {"POST", "/v1/rooms/{room}/heartbeat"},
    {"GET", "/v1/rooms/{room}/events"},
    {"GET", "/v1/rooms/{room}/locks"},
    {"POST", "/v1/rooms/{room}/locks"},
    {"POST", "/v1/rooms/{room}/locks/release"},
    {"POST", "/v1/rooms/{room}/locks/renew"},
    {"POST", "/v1/rooms/{room}/settings"},
    {"POST", "/v1/rooms/{room}/doing"},
    {"GET", "/v1/rooms/{room}/tasks"},
    {"POST", "/v1/rooms/{room}/tasks"},
    {"POST", "/v1/rooms/{room}/tasks/{id}/claim"},
    {"POST", "/v1/rooms/{room}/tasks/{id}/done"},
    {"POST", "/v1/rooms/{room}/tasks/{id}/release"},
    {"POST", "/v1/rooms/{room}/messages"},
    {"POST", "/v1/rooms/{room}/notices"},
    {"GET", "/v1/rooms/{room}/stream"},
    {"GET", "/v1/rooms/{room}/git/refs"},
    {"POST", "/v1/rooms/{room}/git/receive"},
    {"POST", "/v1/rooms/{room}/git/upload"},
    {"POST", "/v1/rooms/{room}/git/notify"},
    {"GET", "/v1/rooms/{room}/integration"},
    {"GET", "/v1/rooms/{room}/integration/runs/{run}"},
    {"GET", "/v1/rooms/{room}/integration/runs/{run}/log"},
    {"POST", "/v1/rooms/{room}/integration/undo"},
    {"POST", "/v1/rooms/{room}/integration/settings"},
    {"DELETE", "/v1/rooms/{room}/locks"},
}};

constexpr const char* k_admin_token = "fuzz-admin-token";
// The nonce of every fuzzed request; the set-up's requests use others.
constexpr const char* k_fuzz_nonce = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

// An Ed25519 key from a fixed seed, so that every run has the same agents.
struct TestKey {
    Bytes public_key = Bytes(crypto_sign_PUBLICKEYBYTES);
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};

    explicit TestKey(unsigned char seed_byte) {
        crypto_init();
        std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
        seed.fill(seed_byte);
        crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
    }
    std::string sign(const std::string& message) const {
        Bytes signature(crypto_sign_BYTES);
        crypto_sign_detached(signature.data(), nullptr,
                             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                             secret_key.data());
        return to_base64(signature);
    }
    std::string id() const {
        return "ag_" + sha256_hex(std::string_view(reinterpret_cast<const char*>(public_key.data()),
                                                   public_key.size()))
                           .substr(0, 16);
    }
    nlohmann::json card(const std::string& name) const {
        return {{"name", name}, {"kind", "claude"}, {"public_key", to_base64(public_key)}};
    }
};

// The stream reactor's side of a WebSocket: whatever the route sends must be JSON.
class RecordingSink : public FrameSink {
public:
    void send_text(const std::string& text) override {
        if (!nlohmann::json::accept(text))
            std::abort();
    }
    bool has_room() const override { return true; }
};

// A server without its HTTP listener: a store on `database`, a hub, and the routes.
struct Backend {
    Store store;
    EventHub hub;
    ServerContext context;
    Router router;

    Backend(const fs::path& database, const fs::path& data_dir, const Bytes& server_key)
        : store(database)
        , context{store,
                  k_admin_token,
                  server_key,
                  hub,
                  std::chrono::seconds(15),
                  data_dir,
                  ForgePolicy{{"https"}, false, false, data_dir},
                  {},
                  PackLimits{},
                  nullptr,
                  {}}
        , router(context) {
        add_all_routes(router);
    }
};

struct Fixture {
    fs::path dir;
    TestKey owner{1};
    TestKey member{2};
    TestKey outsider{3};
    TestKey server{9};
    std::string room;
    std::string token;
    int setup_nonces = 0;
};

Fixture* g_fixture = nullptr;

void remove_fixture() {
    if (g_fixture) {
        std::error_code ignored;
        fs::remove_all(g_fixture->dir, ignored);
        delete g_fixture;
        g_fixture = nullptr;
    }
}

// Signs `request` as `key` (with `nonce`), the agent header naming it when `with_agent`.
void sign(Request& request, const TestKey& key, const std::string& nonce, bool with_agent) {
    const std::int64_t now = unix_now();
    request.headers["x-knot-timestamp"] = std::to_string(now);
    request.headers["x-knot-nonce"] = nonce;
    request.headers["x-knot-signature"] =
        key.sign(canonical_string(request.method, request.target, now, nonce, request.body));
    if (with_agent)
        request.headers["x-knot-agent"] = key.id();
}

Request make_request(const std::string& method, const std::string& path, std::string body) {
    Request request;
    request.method = method;
    request.path = path;
    request.target = path;
    request.body = std::move(body);
    return request;
}

// Answers `request` as the handler base would, streamed bodies included. Returns the status.
int call(Backend& backend, Request& request) {
    std::istringstream stream(request.body);
    try {
        const RouteHandler& handler = backend.router.match(request);
        if (request.streams_body) {
            request.body_stream = &stream;
            request.body_length = request.body.size();
            request.body.clear();
        }
        Response response = backend.router.call(handler, request);
        if (response.write_body) {
            std::ostringstream out;
            response.write_body(out);
        } else if (response.upgrade) {
            // With the hub shut, the stream ends at once instead of waiting a second for the
            // peer; its catch-up is the stream tests' to check.
            backend.hub.shutdown();
            RecordingSink sink;
            if (response.upgrade->start([] {}) != StreamFeed::Next::going_away)
                response.upgrade->pump(sink);
        } else if (response.content_type == "application/json" &&
                   !nlohmann::json::accept(response.body)) {
            std::abort();
        }
        return response.status;
    } catch (const ApiError& error) {
        return error.status();
    }
}

std::string setup_nonce(Fixture& fixture) {
    std::string counter = std::to_string(++fixture.setup_nonces);
    return std::string(32 - counter.size(), '0') + counter;
}

// A signed POST during set-up, which must succeed.
nlohmann::json setup_post(Backend& backend, Fixture& fixture, const TestKey& key,
                          const std::string& path, const nlohmann::json& body, bool with_agent,
                          const std::map<std::string, std::string>& headers) {
    Request request = make_request("POST", path, body.dump());
    request.headers = headers;
    sign(request, key, setup_nonce(fixture), with_agent);
    const RouteHandler& handler = backend.router.match(request);
    const Response response = backend.router.call(handler, request);
    if (response.status >= 300) {
        std::cerr << "routes_fuzz: set-up " << path << " answered " << response.status << ": "
                  << response.body << '\n';
        std::abort();
    }
    return nlohmann::json::parse(response.body);
}

// A room with an owner and a member, a task, a lock and a message, in template.db.
void build_template(Fixture& fixture) {
    Backend backend(fixture.dir / "template.db", fixture.dir / "data", fixture.server.public_key);
    const nlohmann::json created =
        setup_post(backend, fixture, fixture.owner, "/v1/rooms",
                   {{"name", "fuzz"}, {"owner", fixture.owner.card("owner")}}, false,
                   {{"x-knot-admin", k_admin_token}});
    fixture.room = created.at("room").get<std::string>();
    fixture.token = created.at("token").get<std::string>();
    const std::string base = "/v1/rooms/" + fixture.room;
    const std::map<std::string, std::string> token{{"x-knot-token", fixture.token}};
    setup_post(backend, fixture, fixture.member, base + "/agents", fixture.member.card("member"),
               false, token);
    setup_post(backend, fixture, fixture.owner, base + "/tasks",
               {{"titles", {"first task", "second task"}}}, true, token);
    setup_post(backend, fixture, fixture.member, base + "/tasks/t2/claim", nlohmann::json::object(),
               true, token);
    setup_post(backend, fixture, fixture.member, base + "/locks",
               {{"paths", {"src/a.c"}}, {"intent", "fuzz"}}, true, token);
    setup_post(backend, fixture, fixture.owner, base + "/messages", {{"text", "hello"}}, true,
               token);
}

void parse_query(Request& request, const std::string& query) {
    std::size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        const std::size_t amp = query.find('&', start);
        const std::string pair =
            query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        const std::size_t equals = pair.find('=');
        request.query[pair.substr(0, equals)] =
            equals == std::string::npos ? "" : pair.substr(equals + 1);
        if (amp == std::string::npos)
            break;
        start = amp + 1;
    }
}

void parse_headers(Request& request, const std::string& line) {
    std::size_t start = 0;
    while (start < line.size()) {
        const std::size_t tab = line.find('\t', start);
        const std::string header =
            line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
        const std::size_t colon = header.find(':');
        if (colon != std::string::npos) {
            std::string name = header.substr(0, colon);
            for (char& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            request.headers[name] = header.substr(colon + 1);
        }
        if (tab == std::string::npos)
            break;
        start = tab + 1;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string pattern = (fs::temp_directory_path() / "knot-routes-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        std::abort();
    g_fixture = new Fixture;
    g_fixture->dir = pattern;
    // The routes that fetch from a forge run git: it may not leave this machine (file:// alone
    // is allowed, and the routes refuse local forges), nor read the user's configuration.
    setenv("GIT_ALLOW_PROTOCOL", "file", 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_TERMINAL_PROMPT", "0", 1);
    setenv("HOME", pattern.c_str(), 1);
    std::atexit(remove_fixture);
    build_template(*g_fixture);
    return 0;
}

// Input: a byte choosing the route; a byte of flags (1 the room's token, 2 and 4 the signer:
// none, the owner, a member, a stranger; 8 the agent header; 16 the admin token; 32 the next
// line replaces the path's last {room}, {id} or {run}); then a line for that parameter, a line of
// query (a=b&c=d), a line of headers (name:value, tab-separated, applied last); the rest is
// the body.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Fixture& fixture = *g_fixture;
    fuzz::Input input(data, size);
    const RouteSpec& route = k_routes[input.byte() % k_routes.size()];
    const std::uint8_t flags = input.byte();
    const std::string param = input.line();
    const std::string query = input.line();
    const std::string headers = input.line();
    const std::string body = input.rest();

    // Flag 32 puts the parameter line in place of the path's last {name}, the others keep the
    // room's id, t1 and run 1.
    std::string path = route.pattern;
    const std::size_t last = path.rfind('{');
    if ((flags & 32) && last != std::string::npos)
        path.replace(last, path.find('}', last) + 1 - last, param);
    for (const auto& [name, fixed] :
         {std::pair{"{room}", fixture.room}, {"{id}", "t1"}, {"{run}", "1"}})
        if (const std::size_t at = path.find(name); at != std::string::npos)
            path.replace(at, std::string_view(name).size(), fixed);

    // Each input starts from the same database and an empty data directory.
    const fs::path database = fixture.dir / "work.db";
    const fs::path data_dir = fixture.dir / "data";
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(database.string() + suffix);
    fs::remove_all(data_dir);
    fs::copy_file(fixture.dir / "template.db", database);
    Backend backend(database, data_dir, fixture.server.public_key);

    Request request = make_request(route.method, path, body);
    if (!query.empty())
        request.target += "?" + query;
    parse_query(request, query);
    if (flags & 1)
        request.headers["x-knot-token"] = fixture.token;
    if (flags & 16)
        request.headers["x-knot-admin"] = k_admin_token;
    const TestKey* signers[] = {nullptr, &fixture.owner, &fixture.member, &fixture.outsider};
    if (const TestKey* signer = signers[(flags >> 1) & 3])
        sign(request, *signer, k_fuzz_nonce, flags & 8);
    parse_headers(request, headers);

    int status = 0;
    try {
        status = call(backend, request);
    } catch (const std::exception& error) {
        // What the handler base answers with 500 and a log line: a finding.
        std::cerr << "routes_fuzz: " << route.method << ' ' << request.target
                  << " would answer 500: " << error.what() << '\n';
        std::abort();
    }
    // 502 and 503 are the answers for a forge or a resource that is unavailable; 500 is what
    // the handler base answers for an exception a route did not mean to throw.
    if (std::getenv("KNOT_FUZZ_TRACE"))
        std::cerr << route.method << ' ' << request.target << " -> " << status << '\n';
    if (status == 500) {
        std::cerr << "routes_fuzz: " << route.method << ' ' << request.target << " answered "
                  << status << '\n';
        std::abort();
    }
    return 0;
}
