// Tasks: plan (create), list, and the claim / done / release lifecycle with exactly one winner.
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

// A task as a plan asks for it: its title and the files it will touch.
struct PlannedTask {
    std::string title;
    std::vector<std::string> files;
};

std::vector<PlannedTask> parse_titles(const nlohmann::json& titles) {
    std::vector<PlannedTask> tasks;
    for (const auto& item : titles) {
        if (!item.is_string())
            throw bad_request("titles", "must be an array of strings");
        tasks.push_back({item.get<std::string>(), {}});
        check_text(tasks.back().title, "titles", 1, k_max_task_title_chars, TextLines::single_line);
    }
    return tasks;
}

// {"tasks": [{"title": "...", "files": ["src/a.c"]}, ...]}: each member named by its place in
// errors ("tasks[2].files"), its files checked as locks' paths are.
std::vector<PlannedTask> parse_task_objects(const nlohmann::json& objects) {
    std::vector<PlannedTask> tasks;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const nlohmann::json& item = objects[i];
        const std::string field = "tasks[" + std::to_string(i) + "]";
        if (!item.is_object())
            throw bad_request(field, "must be an object with a title and optional files");
        PlannedTask task;
        task.title = required_text(item, "title", 1, k_max_task_title_chars);
        const auto files = item.find("files");
        if (files != item.end() && !files->is_null())
            task.files =
                parse_path_array(*files, field + ".files", PathsRequired::no, k_max_task_files);
        tasks.push_back(std::move(task));
    }
    return tasks;
}

// The tasks of a plan: "titles" (titles only, as clients before files sent) or "tasks" (titles
// with files), one of the two, 1 to 100 of them.
std::vector<PlannedTask> parse_plan(const nlohmann::json& body) {
    const auto titles = body.find("titles");
    const auto objects = body.find("tasks");
    if (titles != body.end() && objects != body.end())
        throw bad_request("tasks", "give titles or tasks, not both");
    if (titles == body.end() && objects == body.end())
        throw bad_request("titles", "missing (or tasks)");
    const char* field = titles != body.end() ? "titles" : "tasks";
    const nlohmann::json& list = titles != body.end() ? *titles : *objects;
    if (!list.is_array() || list.empty())
        throw bad_request(field, "must be an array of 1 to 100 tasks");
    if (list.size() > k_max_tasks_per_request)
        throw bad_request(field, "at most 100 tasks at a time");
    return titles != body.end() ? parse_titles(list) : parse_task_objects(list);
}

// The task named by the path, read inside the transaction that changes it, so that the check
// and the change are one atomic step. 404 unknown_task.
TaskRecord task_of(const Transaction& transaction, const Request& request,
                   const MemberRequest& call) {
    const std::string& id = request.param("id");
    std::optional<TaskRecord> task;
    if (const auto number = parse_task_id(id))
        task = transaction.find_task(call.room().id, *number);
    if (!task)
        throw ApiError(error_code::unknown_task, "there is no task " + id + " in this room");
    return *task;
}

std::string claimer_of(const TaskRecord& task) {
    return task.claimed_by_name.empty() ? task.claimed_by : task.claimed_by_name;
}

ApiError task_done(const TaskRecord& task) {
    return ApiError(error_code::task_done, task_id(task.number) + " is already done");
}

Response list_tasks(const Request& request, ServerContext& context) {
    return answer_room_read(request, context, [](const Reader& reader, const RoomRecord& room) {
        std::vector<wire::Task> tasks;
        for (const TaskRecord& task : reader.tasks(room.id))
            tasks.push_back(task_view(task));
        return nlohmann::json{{"tasks", tasks}};
    });
}

Response create_tasks(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const std::vector<PlannedTask> planned = parse_plan(body);
    const std::string goal = optional_text(body, "goal", 0, k_max_task_goal_chars).value_or("");
    return call.answer(201, [&](Transaction& transaction) {
        std::vector<wire::Task> tasks;
        for (const PlannedTask& plan : planned) {
            TaskRecord task;
            task.room_id = call.room().id;
            task.title = plan.title;
            task.files = plan.files;
            task.goal = goal;
            task.status = "open";
            task.created_by = call.agent().id;
            task.created_at = call.now();
            task.updated_at = call.now();
            task.number = transaction.insert_task(task);
            call.append_event(transaction, "task.created",
                              {{"id", task_id(task.number)}, {"title", task.title}});
            tasks.push_back(task_view(task));
        }
        return nlohmann::json{{"tasks", tasks}};
    });
}

// What a change did to a task: `none` leaves it as it was, unsaved and with no event.
enum class TaskChange { made, none };

// Changes the task named by the path in one transaction: `change` refuses (throws), changes the
// task, which is then saved with the event `event`, or leaves it; answers with the task. A task
// that is done is never changed again (409 task_done).
Response change_task(const Request& request, const MemberRequest& call, const char* event,
                     const std::function<TaskChange(TaskRecord&)>& change) {
    return call.answer(200, [&](Transaction& transaction) {
        TaskRecord task = task_of(transaction, request, call);
        if (task.status == "done")
            throw task_done(task);
        if (change(task) == TaskChange::made) {
            task.updated_at = call.now();
            transaction.update_task(task);
            call.append_event(transaction, event, {{"id", task_id(task.number)}});
        }
        return nlohmann::json{{"task", task_view(task)}};
    });
}

// Claiming a task one already holds answers 200 again without a new event.
Response claim_task(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    body_object(request);
    return change_task(request, call, "task.claimed", [&](TaskRecord& task) {
        if (task.status == "claimed" && task.claimed_by != call.agent().id)
            throw ApiError(error_code::already_claimed,
                           task_id(task.number) + " is already claimed by " + claimer_of(task));
        if (task.status == "claimed")
            return TaskChange::none;
        task.status = "claimed";
        task.claimed_by = call.agent().id;
        task.claimed_by_name = call.agent().name;
        return TaskChange::made;
    });
}

Response finish_task(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    body_object(request);
    return change_task(request, call, "task.done", [&](TaskRecord& task) {
        if (task.status != "claimed" || task.claimed_by != call.agent().id)
            throw ApiError(error_code::not_claimer, "only the agent that claimed " +
                                                        task_id(task.number) +
                                                        " may finish it; claim it first");
        task.status = "done";
        return TaskChange::made;
    });
}

Response release_task(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const bool force = optional_flag(body_object(request), "force");
    if (force && !call.is_owner())
        throw ApiError(error_code::not_owner, "only the room's owner may force");
    return change_task(request, call, "task.released", [&](TaskRecord& task) {
        if (task.status != "claimed" || (task.claimed_by != call.agent().id && !force))
            throw ApiError(error_code::not_claimer,
                           task.status == "claimed"
                               ? task_id(task.number) + " is claimed by " + claimer_of(task)
                               : task_id(task.number) + " is not claimed");
        task.status = "open";
        task.claimed_by.clear();
        task.claimed_by_name.clear();
        return TaskChange::made;
    });
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
