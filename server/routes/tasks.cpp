// Tasks: plan (create), list, and the claim / done / release lifecycle with exactly one winner.
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_title_chars = 200;
constexpr std::size_t k_max_goal_chars = 200;
constexpr std::size_t k_max_titles = 100;

std::vector<std::string> parse_titles(const nlohmann::json& body) {
    const auto it = body.find("titles");
    if (it == body.end())
        throw bad_request("titles", "missing");
    if (!it->is_array() || it->empty())
        throw bad_request("titles", "must be an array of 1 to 100 titles");
    if (it->size() > k_max_titles)
        throw bad_request("titles", "at most 100 titles at a time");
    std::vector<std::string> titles;
    for (const auto& item : *it) {
        if (!item.is_string())
            throw bad_request("titles", "must be an array of strings");
        titles.push_back(item.get<std::string>());
        check_text(titles.back(), "titles", 1, k_max_title_chars, TextLines::single_line);
    }
    return titles;
}

void append(Transaction& transaction, const Member& member, const std::string& type,
            const nlohmann::json& data, std::int64_t now) {
    transaction.append_event(member.room.id, type, member.agent.id, now, data.dump(),
                             member.signed_request.signed_string, member.signed_request.signature);
}

// The task named by the path, read inside the transaction that changes it, so that the check
// and the change are one atomic step. 404 unknown_task.
TaskRecord task_of(const Transaction& transaction, const Request& request, const Member& member) {
    const std::string& id = request.param("id");
    std::optional<TaskRecord> task;
    if (const auto number = parse_task_id(id))
        task = transaction.find_task(member.room.id, *number);
    if (!task)
        throw ApiError(404, "unknown_task", "there is no task " + id + " in this room");
    return *task;
}

std::string claimer_of(const TaskRecord& task) {
    return task.claimed_by_name.empty() ? task.claimed_by : task.claimed_by_name;
}

ApiError task_done(const TaskRecord& task) {
    return ApiError(409, "task_done", task_id(task.number) + " is already done");
}

Response list_tasks(const Request& request, ServerContext& context) {
    nlohmann::json tasks = nlohmann::json::array();
    context.store.read([&](const Reader& reader) {
        const RoomRecord room = authenticate_room(reader, request);
        for (const TaskRecord& task : reader.tasks(room.id))
            tasks.push_back(task_json(task));
    });
    return Response::json(200, {{"tasks", tasks}});
}

Response create_tasks(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = body_object(request);
    const std::vector<std::string> titles = parse_titles(body);
    const std::string goal = optional_text(body, "goal", 0, k_max_goal_chars).value_or("");
    nlohmann::json tasks = nlohmann::json::array();
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        for (const std::string& title : titles) {
            TaskRecord task;
            task.room_id = member.room.id;
            task.title = title;
            task.goal = goal;
            task.status = "open";
            task.created_by = member.agent.id;
            task.created_at = now;
            task.updated_at = now;
            task.number = transaction.insert_task(task);
            append(transaction, member, "task.created",
                   {{"id", task_id(task.number)}, {"title", title}}, now);
            tasks.push_back(task_json(task));
        }
    });
    return Response::json(201, {{"tasks", tasks}});
}

// Claiming a task one already holds answers 200 again without a new event.
Response claim_task(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    body_object(request);
    nlohmann::json answer;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        TaskRecord task = task_of(transaction, request, member);
        if (task.status == "done")
            throw task_done(task);
        if (task.status == "claimed" && task.claimed_by != member.agent.id)
            throw ApiError(409, "already_claimed",
                           task_id(task.number) + " is already claimed by " + claimer_of(task));
        if (task.status != "claimed") {
            task.status = "claimed";
            task.claimed_by = member.agent.id;
            task.claimed_by_name = member.agent.name;
            task.updated_at = now;
            transaction.update_task(task);
            append(transaction, member, "task.claimed", {{"id", task_id(task.number)}}, now);
        }
        answer = {{"task", task_json(task)}};
    });
    return Response::json(200, answer);
}

Response finish_task(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    body_object(request);
    nlohmann::json answer;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        TaskRecord task = task_of(transaction, request, member);
        if (task.status == "done")
            throw task_done(task);
        if (task.status != "claimed" || task.claimed_by != member.agent.id)
            throw ApiError(403, "not_claimer",
                           "only the agent that claimed " + task_id(task.number) +
                               " may finish it; claim it first");
        task.status = "done";
        task.updated_at = now;
        transaction.update_task(task);
        append(transaction, member, "task.done", {{"id", task_id(task.number)}}, now);
        answer = {{"task", task_json(task)}};
    });
    return Response::json(200, answer);
}

Response release_task(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const bool force = optional_flag(body_object(request), "force");
    if (force && member.agent.role != "owner")
        throw ApiError(403, "not_owner", "only the room's owner may force");
    nlohmann::json answer;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        TaskRecord task = task_of(transaction, request, member);
        if (task.status == "done")
            throw task_done(task);
        if (task.status != "claimed" || (task.claimed_by != member.agent.id && !force))
            throw ApiError(403, "not_claimer",
                           task.status == "claimed"
                               ? task_id(task.number) + " is claimed by " + claimer_of(task)
                               : task_id(task.number) + " is not claimed");
        task.status = "open";
        task.claimed_by.clear();
        task.claimed_by_name.clear();
        task.updated_at = now;
        transaction.update_task(task);
        append(transaction, member, "task.released", {{"id", task_id(task.number)}}, now);
        answer = {{"task", task_json(task)}};
    });
    return Response::json(200, answer);
}

} // namespace

void add_task_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/tasks", list_tasks);
    router.add("POST", "/v1/rooms/{room}/tasks", create_tasks);
    router.add("POST", "/v1/rooms/{room}/tasks/{id}/claim", claim_task);
    router.add("POST", "/v1/rooms/{room}/tasks/{id}/done", finish_task);
    router.add("POST", "/v1/rooms/{room}/tasks/{id}/release", release_task);
}

} // namespace knot::server
