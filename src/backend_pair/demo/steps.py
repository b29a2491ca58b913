"""The scripted Backend Engineer of ``--demo``: one function per answer, reading the request it answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend_pair.fake_api import Reply, Text, ToolUse

PACE = 0.012
"""Seconds between streamed events, so the demo reads like a live answer."""

TASK = "Add POST /orders/{order_id}/cancel"
TODO_TEXTS = (
    TASK,
    "Reviewed existing patterns",
    "API contract defined (OpenAPI)",
    "Proper error handling",
    "Unit tests written",
    "Error cases tested",
    "Run the test suite",
)
TIDY_COMMAND = "perl -pi -e 's/[ \\t]+$//' tests/*.py"
"""Strips trailing blanks from the tests: a command that changes files, so the demo shows a Bash change in review."""
TEST_COMMAND = f"{TIDY_COMMAND} && python3 -m unittest -v"
REVIEWED = {1}
"""What the agent did by itself (reading the code): the only item it may call done before the review."""
PROPOSED = {2, 3, 4, 5}
"""Items whose work is only proposed: in progress until accepted (evidence ticks some once their files are)."""
NEW_TESTS = ("test_cancel_pending_order", "test_cancel_twice_conflicts")
"""Names ``unittest -v`` prints when the new test file is on disk and ran."""


def todos(done: set[int], active: set[int]) -> ToolUse:
    """TodoWrite over :data:`TODO_TEXTS`: indexes in ``done`` completed, in ``active`` in progress."""
    items = []
    for index, text in enumerate(TODO_TEXTS):
        status = "completed" if index in done else "in_progress" if index in active else "pending"
        items.append({"content": text, "status": status, "activeForm": text})
    return ToolUse("TodoWrite", {"todos": items})


def reply(*blocks: Text | ToolUse) -> Reply:
    """A paced answer."""
    return Reply(blocks=blocks, pace=PACE)


def last_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the request's last message."""
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    if not isinstance(content, list):
        return []
    return [block for block in content if isinstance(block, dict) and block.get("type") == "tool_result"]


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content", "")
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


def step_plan(body: dict[str, Any]) -> Reply:
    """Plan the work and put it on the checklist."""
    return reply(
        Text(
            "I'll add **order cancellation** to the orders service, contract first:\n\n"
            "1. read the service, its routes and `openapi.yaml` to follow the existing patterns;\n"
            "2. add `POST /orders/{order_id}/cancel` to the contract (`200`, `404`, `409`);\n"
            "3. implement it in the model, the service and the router;\n"
            "4. write tests for the happy path and every error case, then run the suite.\n\n"
            "Every change I make is a *proposal*: nothing touches your files until you accept it in the review."
        ),
        todos(done=set(), active={0, 1}),
    )


def step_read_code(body: dict[str, Any]) -> Reply:
    """Read the service and the routes (two calls in one answer)."""
    return reply(
        Text("First, the service layer and the router."),
        ToolUse("Read", {"file_path": "app/service.py"}),
        ToolUse("Read", {"file_path": "app/routes.py"}),
    )


EXPLORE_PROMPT = (
    "In this repository, find any existing order-cancellation logic in the code under app/ (search "
    "case-insensitively for 'cancel') and list the test files. Report paths with line numbers; change nothing."
)
"""What the Backend Engineer asks its explorer collaborator (a ``Task``)."""


def step_check_contract(body: dict[str, Any]) -> Reply:
    """Hand the search for existing cancellation code to the explorer (a Task) and read the contract meanwhile."""
    return reply(
        Text(
            "The router maps `(method, path)` to handlers that return `(status, body)`, and the service raises "
            "domain errors the handlers translate. Is there any cancellation logic already? I'll ask **@explorer** "
            "to look while I read the contract."
        ),
        ToolUse(
            "Task",
            {
                "description": "Find cancellation code and tests",
                "prompt": EXPLORE_PROMPT,
                "subagent_type": "explorer",
            },
        ),
        ToolUse("Read", {"file_path": "openapi.yaml"}),
    )


def explorer_search(body: dict[str, Any]) -> Reply:
    """The explorer's first answer: search, in two calls."""
    return reply(
        Text("Searching for cancellation code, and listing the tests."),
        ToolUse("Grep", {"pattern": "cancel", "-i": True, "path": "app", "output_mode": "content"}),
        ToolUse("Glob", {"pattern": "tests/**/*.py"}),
    )


def explorer_report(body: dict[str, Any]) -> Reply:
    """The explorer's final answer, from what its searches found (all its caller sees)."""
    results = [_result_text(block) for block in last_results(body)]
    found = results[0] if results else ""
    tests = [line.strip() for line in (results[1] if len(results) > 1 else "").splitlines() if line.strip()]
    cancel = (
        "- cancellation: none in the code (Grep `cancel` in app/, case-insensitive: no match)"
        if not found.strip() or "no match" in found.lower() or "no files" in found.lower()
        else "- cancellation: mentions found:\n" + "\n".join(f"  {line}" for line in found.splitlines()[:5])
    )
    listed = "\n".join(f"  - {path}" for path in tests[:10]) or "  (none)"
    return reply(Text(f"Findings:\n{cancel}\n- test files:\n{listed}"))


EXPLORER_STEPS: list[Callable[[dict[str, Any]], Reply]] = [explorer_search, explorer_report]
"""Answer n of the explorer's nested session."""


def step_contract(body: dict[str, Any]) -> Reply:
    """Propose the contract change (two hunks in openapi.yaml)."""
    return reply(
        Text(
            "No cancellation exists yet. Contract first: a new path `/orders/{order_id}/cancel` answering `200` with "
            "the order, `404` for an unknown id and `409` when the order has shipped or is already cancelled, and "
            "`cancelled` added to the `status` enum."
        ),
        todos(done={1}, active={0, 2}),
        ToolUse(
            "Edit",
            {
                "file_path": "openapi.yaml",
                "old_string": '        "404":\n          $ref: "#/components/responses/Error"\ncomponents:\n',
                "new_string": '        "404":\n          $ref: "#/components/responses/Error"\n'
                "  /orders/{order_id}/cancel:\n"
                "    post:\n"
                "      summary: Cancel an order\n"
                "      description: A pending or paid order can be cancelled; a shipped one cannot.\n"
                "      parameters:\n"
                '        - $ref: "#/components/parameters/OrderId"\n'
                "      responses:\n"
                '        "200":\n'
                "          description: The cancelled order\n"
                "          content:\n"
                "            application/json:\n"
                "              schema:\n"
                '                $ref: "#/components/schemas/Order"\n'
                '        "404":\n'
                '          $ref: "#/components/responses/Error"\n'
                '        "409":\n'
                '          $ref: "#/components/responses/Error"\n'
                "components:\n",
            },
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "openapi.yaml",
                "old_string": "enum: [pending, paid, shipped]",
                "new_string": "enum: [pending, paid, shipped, cancelled]",
            },
        ),
    )


def step_model_and_service(body: dict[str, Any]) -> Reply:
    """Propose the domain change: a status, an error, a transition, a service method."""
    return reply(
        Text(
            "Now the domain: a `CANCELLED` status, an `InvalidTransition` error, `Order.cancel()` guarding the "
            "transition, and `OrderService.cancel_order()`."
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "app/models.py",
                "old_string": '    SHIPPED = "shipped"\n\n\nclass ValidationError(ValueError):\n'
                '    """The request does not describe a valid order."""\n',
                "new_string": '    SHIPPED = "shipped"\n    CANCELLED = "cancelled"\n\n\n'
                'class ValidationError(ValueError):\n    """The request does not describe a valid order."""\n\n\n'
                'class InvalidTransition(ValueError):\n    """The order cannot move to the requested status."""\n',
            },
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "app/models.py",
                "old_string": '            "created_at": self.created_at.isoformat(),\n        }\n',
                "new_string": '            "created_at": self.created_at.isoformat(),\n        }\n\n'
                "    def cancel(self) -> None:\n"
                '        """Cancel the order; a shipped or already cancelled order cannot be."""\n'
                "        if self.status in (OrderStatus.SHIPPED, OrderStatus.CANCELLED):\n"
                '            raise InvalidTransition(f"order {self.id} is {self.status} and cannot be cancelled")\n'
                "        self.status = OrderStatus.CANCELLED\n",
            },
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "app/service.py",
                "old_string": "    def list_orders(self, customer_id: int | None = None) -> list[Order]:\n",
                "new_string": "    def cancel_order(self, order_id: int) -> Order:\n"
                '        """Cancel an order (raises InvalidTransition when it shipped or is cancelled already)."""\n'
                "        order = self.get_order(order_id)\n"
                "        order.cancel()\n"
                "        return order\n\n"
                "    def list_orders(self, customer_id: int | None = None) -> list[Order]:\n",
            },
        ),
    )


def step_routes(body: dict[str, Any]) -> Reply:
    """Propose the route and its handler."""
    return reply(
        Text("The handler maps the domain errors onto the contract's statuses: `404` and `409`."),
        ToolUse(
            "Edit",
            {
                "file_path": "app/routes.py",
                "old_string": "from app.models import ValidationError\n",
                "new_string": "from app.models import InvalidTransition, ValidationError\n",
            },
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "app/routes.py",
                "old_string": "def list_orders(service: OrderService",
                "new_string": "def cancel_order(service: OrderService, params: dict[str, str], body: dict[str, object])"
                " -> Response:\n"
                '    """POST /orders/{order_id}/cancel"""\n'
                "    try:\n"
                '        order = service.cancel_order(int(params["order_id"]))\n'
                "    except OrderNotFound:\n"
                '        return 404, {"error": "order not found"}\n'
                "    except InvalidTransition as error:\n"
                '        return 409, {"error": str(error)}\n'
                "    return 200, order.to_dict()\n\n\n"
                "def list_orders(service: OrderService",
            },
        ),
        ToolUse(
            "Edit",
            {
                "file_path": "app/routes.py",
                "old_string": '(?P<order_id>\\d+)$"), get_order),\n',
                "new_string": '(?P<order_id>\\d+)$"), get_order),\n'
                '    ("POST", re.compile(r"^/orders/(?P<order_id>\\d+)/cancel$"), cancel_order),\n',
            },
        ),
    )


TEST_CANCEL = '''"""Tests of order cancellation: POST /orders/{order_id}/cancel (see openapi.yaml)."""

import unittest

from app.models import OrderStatus
from app.routes import handle
from app.service import OrderService

VALID = {"customer_id": 7, "items": ["book"], "total_cents": 1299}


class CancelOrderTest(unittest.TestCase):
    def setUp(self) -> None:
        self.service = OrderService()
        self.order = self.service.create_order(VALID)

    def test_cancel_pending_order(self) -> None:
        status, body = handle(self.service, "POST", f"/orders/{self.order.id}/cancel")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "cancelled")

    def test_cancel_twice_conflicts(self) -> None:
        handle(self.service, "POST", f"/orders/{self.order.id}/cancel")
        status, body = handle(self.service, "POST", f"/orders/{self.order.id}/cancel")
        self.assertEqual(status, 409)
        self.assertIn("cannot be cancelled", body["error"])

    def test_cancel_shipped_order_conflicts(self) -> None:
        self.order.status = OrderStatus.SHIPPED
        status, _ = handle(self.service, "POST", f"/orders/{self.order.id}/cancel")
        self.assertEqual(status, 409)

    def test_cancel_unknown_order(self) -> None:
        status, _ = handle(self.service, "POST", "/orders/999/cancel")
        self.assertEqual(status, 404)
'''


def step_tests(body: dict[str, Any]) -> Reply:
    """Propose a new test file and update the checklist."""
    return reply(
        Text("Tests for the happy path and each error case of the contract, in a new file."),
        ToolUse("Write", {"file_path": "tests/test_cancel.py", "content": TEST_CANCEL}),
        todos(done=REVIEWED, active=PROPOSED | {0, 6}),
    )


def step_run_tests(body: dict[str, Any]) -> Reply:
    """Ask to run the suite (the developer approves or denies)."""
    return reply(
        Text(
            "Let me strip the trailing blanks the tests carry, then run the suite. It runs against the files "
            "**on disk**: hunks you have not accepted yet are not there, so the new tests only run once you accept "
            "`tests/test_cancel.py`. What the tidy-up changes shows in the review pane like my proposals."
        ),
        ToolUse("Bash", {"command": TEST_COMMAND, "description": "Tidy the tests, then run the suite"}),
    )


def step_summary(body: dict[str, Any]) -> Reply:
    """Sum up, reacting to how the test run went, claiming only what the run showed.

    Items whose work is only proposed stay in progress: nothing is done until the developer accepts it, and the
    checklist's evidence ticks items once their files are accepted. The suite item is done only when the run
    passed with the new tests in it; the task itself stays open for the review.
    """
    results = last_results(body)
    outcome = _result_text(results[-1]) if results else ""
    done = set(REVIEWED)
    if "denied" in outcome:
        verdict = (
            "You chose not to run the tests, so nothing has been run: run `python3 -m unittest -v` yourself once "
            "the proposals are accepted, or ask me to."
        )
    elif "[exit code 0]" in outcome and all(name in outcome for name in NEW_TESTS):
        verdict = "The suite passed on disk, **including the new cancellation tests**."
        done.add(6)
    elif "[exit code 0]" in outcome:
        verdict = (
            "The suite passed on disk, but **without the new tests**: `tests/test_cancel.py` is not accepted yet, "
            "so the cancellation itself is untested. Accept it and the code hunks, then ask me to run it again."
        )
    else:
        verdict = (
            "The run did not pass, most likely because only part of the change is on disk yet. Accept the "
            "remaining hunks and ask me to run it again."
        )
    summary = (
        f"{verdict}\n\n"
        "## Endpoint: `POST /orders/{order_id}/cancel` (proposed)\n\n"
        "| File | Change |\n|---|---|\n"
        "| `openapi.yaml` | new path, `cancelled` status |\n"
        "| `app/models.py` | `CANCELLED`, `InvalidTransition`, `Order.cancel()` |\n"
        "| `app/service.py` | `OrderService.cancel_order()` |\n"
        "| `app/routes.py` | handler and route (`200` / `404` / `409`) |\n"
        "| `tests/test_cancel.py` | 4 tests, new file |\n\n"
        "Whatever you have not accepted is **pending your review**: press `ctrl+r`, walk the hunks with `]` and "
        "`[`, accept with `a`, reject with `d` (I will hear why with your next message), comment with `c`. "
        "Accepted hunks are written and staged, exactly those hunks; the checklist ticks items as their files "
        "are accepted."
    )
    return reply(Text(summary), todos(done=done, active=(PROPOSED | {0, 6}) - done))


def step_done(body: dict[str, Any]) -> Reply:
    """A last word after the checklist update."""
    return reply(Text("The checklist is up to date. Over to you for the review."))


STEPS: list[Callable[[dict[str, Any]], Reply]] = [
    step_plan,
    step_read_code,
    step_check_contract,
    step_contract,
    step_model_and_service,
    step_routes,
    step_tests,
    step_run_tests,
    step_summary,
    step_done,
]
"""Answer n of the first session."""
