"""The sample service ``--demo`` creates: a small orders API in plain Python, its OpenAPI contract and its tests."""

from __future__ import annotations

MODELS = '''"""Orders and their life cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order is in its life cycle."""

    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"


class ValidationError(ValueError):
    """The request does not describe a valid order."""


@dataclass
class Order:
    """A customer's order."""

    id: int
    customer_id: int
    items: list[str]
    total_cents: int
    status: OrderStatus = OrderStatus.PENDING
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, object]:
        """The JSON representation used by the API."""
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "items": list(self.items),
            "total_cents": self.total_cents,
            "status": str(self.status),
            "created_at": self.created_at.isoformat(),
        }


def validate_new_order(payload: dict[str, object]) -> tuple[int, list[str], int]:
    """Check a create-order request body and return (customer_id, items, total_cents)."""
    customer_id = payload.get("customer_id")
    items = payload.get("items")
    total = payload.get("total_cents")
    if not isinstance(customer_id, int) or customer_id <= 0:
        raise ValidationError("customer_id must be a positive integer")
    if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
        raise ValidationError("items must be a non-empty list of strings")
    if not isinstance(total, int) or total < 0:
        raise ValidationError("total_cents must be a non-negative integer")
    return customer_id, items, total
'''

SERVICE = '''"""Business rules for orders, over an in-memory repository."""

from __future__ import annotations

from app.models import Order, validate_new_order


class OrderNotFound(LookupError):
    """No order has this id."""


class OrderService:
    """Creates and finds orders."""

    def __init__(self) -> None:
        self._orders: dict[int, Order] = {}
        self._next_id = 1

    def create_order(self, payload: dict[str, object]) -> Order:
        """Validate and store a new order."""
        customer_id, items, total = validate_new_order(payload)
        order = Order(id=self._next_id, customer_id=customer_id, items=items, total_cents=total)
        self._orders[order.id] = order
        self._next_id += 1
        return order

    def get_order(self, order_id: int) -> Order:
        """The order with this id."""
        try:
            return self._orders[order_id]
        except KeyError:
            raise OrderNotFound(order_id) from None

    def list_orders(self, customer_id: int | None = None) -> list[Order]:
        """Every order, or a customer's orders, oldest first."""
        orders = sorted(self._orders.values(), key=lambda order: order.id)
        if customer_id is None:
            return orders
        return [order for order in orders if order.customer_id == customer_id]
'''

ROUTES = '''"""HTTP routes: a tiny framework-free router mapping (method, path) to handlers."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.models import ValidationError
from app.service import OrderNotFound, OrderService

Response = tuple[int, dict[str, object]]
Handler = Callable[[OrderService, dict[str, str], dict[str, object]], Response]


def create_order(service: OrderService, params: dict[str, str], body: dict[str, object]) -> Response:
    """POST /orders"""
    try:
        order = service.create_order(body)
    except ValidationError as error:
        return 422, {"error": str(error)}
    return 201, order.to_dict()


def get_order(service: OrderService, params: dict[str, str], body: dict[str, object]) -> Response:
    """GET /orders/{order_id}"""
    try:
        order = service.get_order(int(params["order_id"]))
    except OrderNotFound:
        return 404, {"error": "order not found"}
    return 200, order.to_dict()


def list_orders(service: OrderService, params: dict[str, str], body: dict[str, object]) -> Response:
    """GET /orders"""
    return 200, {"orders": [order.to_dict() for order in service.list_orders()]}


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("POST", re.compile(r"^/orders$"), create_order),
    ("GET", re.compile(r"^/orders$"), list_orders),
    ("GET", re.compile(r"^/orders/(?P<order_id>\\d+)$"), get_order),
]


def handle(service: OrderService, method: str, path: str, body: dict[str, object] | None = None) -> Response:
    """Dispatch one request to its handler."""
    for route_method, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            return handler(service, match.groupdict(), body or {})
    return 404, {"error": f"no route for {method} {path}"}
'''

OPENAPI = """openapi: 3.0.3
info:
  title: Orders service
  version: 1.0.0
paths:
  /orders:
    get:
      summary: List orders
      responses:
        "200":
          description: Every order, oldest first
          content:
            application/json:
              schema:
                type: object
                properties:
                  orders:
                    type: array
                    items:
                      $ref: "#/components/schemas/Order"
    post:
      summary: Create an order
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/NewOrder"
      responses:
        "201":
          description: The created order
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Order"
        "422":
          $ref: "#/components/responses/Error"
  /orders/{order_id}:
    get:
      summary: Get an order
      parameters:
        - $ref: "#/components/parameters/OrderId"
      responses:
        "200":
          description: The order
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Order"
        "404":
          $ref: "#/components/responses/Error"
components:
  parameters:
    OrderId:
      name: order_id
      in: path
      required: true
      schema:
        type: integer
  responses:
    Error:
      description: An error
      content:
        application/json:
          schema:
            type: object
            properties:
              error:
                type: string
  schemas:
    NewOrder:
      type: object
      required: [customer_id, items, total_cents]
      properties:
        customer_id: {type: integer, minimum: 1}
        items: {type: array, minItems: 1, items: {type: string}}
        total_cents: {type: integer, minimum: 0}
    Order:
      type: object
      properties:
        id: {type: integer}
        customer_id: {type: integer}
        items: {type: array, items: {type: string}}
        total_cents: {type: integer}
        status: {type: string, enum: [pending, paid, shipped]}
        created_at: {type: string, format: date-time}
"""

TEST_SERVICE = '''"""Unit tests of the order service."""

import unittest

from app.models import OrderStatus, ValidationError
from app.service import OrderNotFound, OrderService

VALID = {"customer_id": 7, "items": ["book"], "total_cents": 1299}


class OrderServiceTest(unittest.TestCase):
    def test_create_then_get(self) -> None:
        service = OrderService()
        order = service.create_order(VALID)
        self.assertEqual(service.get_order(order.id), order)
        self.assertEqual(order.status, OrderStatus.PENDING)

    def test_invalid_order_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            OrderService().create_order({"customer_id": 0, "items": [], "total_cents": -1})

    def test_unknown_order(self) -> None:
        with self.assertRaises(OrderNotFound):
            OrderService().get_order(42)

    def test_list_by_customer(self) -> None:
        service = OrderService()
        service.create_order(VALID)
        service.create_order({**VALID, "customer_id": 8})
        self.assertEqual([order.customer_id for order in service.list_orders(8)], [8])
'''

TEST_ROUTES = '''"""Tests of the HTTP routes against the contract in openapi.yaml."""

import unittest

from app.routes import handle
from app.service import OrderService

VALID = {"customer_id": 7, "items": ["book"], "total_cents": 1299}


class RoutesTest(unittest.TestCase):
    def test_create_order(self) -> None:
        status, body = handle(OrderService(), "POST", "/orders", VALID)
        self.assertEqual(status, 201)
        self.assertEqual(body["status"], "pending")

    def test_create_order_validation(self) -> None:
        status, body = handle(OrderService(), "POST", "/orders", {"items": []})
        self.assertEqual(status, 422)
        self.assertIn("customer_id", body["error"])

    def test_get_missing_order(self) -> None:
        status, _ = handle(OrderService(), "GET", "/orders/99")
        self.assertEqual(status, 404)

    def test_unknown_route(self) -> None:
        status, _ = handle(OrderService(), "DELETE", "/orders")
        self.assertEqual(status, 404)
'''

README = """# Orders service

A small orders API: create, list and fetch orders. The contract is `openapi.yaml`; the code is plain Python
(`app/`), with no framework, so the tests run with `python3 -m unittest` or `pytest`.
"""

FILES: dict[str, str] = {
    "README.md": README,
    ".gitignore": "__pycache__/\n.pytest_cache/\n*.pyc\n",
    "openapi.yaml": OPENAPI,
    "app/__init__.py": '"""The orders service."""\n',
    "app/models.py": MODELS,
    "app/service.py": SERVICE,
    "app/routes.py": ROUTES,
    "tests/__init__.py": "",
    # Trailing blanks for the demo's tidy-up command to remove: a Bash change the developer reviews.
    "tests/test_service.py": TEST_SERVICE.replace("import unittest\n", "import unittest  \n").replace(
        "        service = OrderService()\n        order", "        service = OrderService()\t\n        order"
    ),
    "tests/test_routes.py": TEST_ROUTES,
}
"""Repo-relative path -> content of the sample repository."""
