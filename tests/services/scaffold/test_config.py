"""PublishConfig: validation rules, persistence, env vars, webhook events and scopes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.services.scaffold.config import (
    ENV_VAR_NAME,
    Architecture,
    AuthProvider,
    Backend,
    Category,
    ConfigProblem,
    EnvVar,
    InvalidPublishConfig,
    Payments,
    PublishConfig,
    Tier,
    api_scopes,
    env_vars,
    webhook_events,
)
from tests.services.scaffold.matrix import MATRIX

BASE = PublishConfig(app_name="Shop", repo_name="shop", categories=(Category.FORMS,))


def _problems(config: PublishConfig) -> list[tuple[str, str]]:
    return [(p.field, p.severity) for p in config.validate()]


def test_config_minimal_is_valid() -> None:
    assert BASE.validate() == []
    assert BASE.is_valid


def test_config_categories_are_normalised_to_canonical_order() -> None:
    a = BASE.with_changes(categories=(Category.CRM, Category.PRODUCTS, Category.CRM))
    b = BASE.with_changes(categories=("products", "crm"))
    assert a == b
    assert a.categories == (Category.PRODUCTS, Category.CRM)


def test_config_enum_fields_accept_their_values_as_strings() -> None:
    config = PublishConfig(app_name="a", repo_name="a", architecture="hybrid", tier="pro")  # type: ignore[arg-type]
    assert config.architecture is Architecture.HYBRID
    assert config.tier is Tier.PRO
    with pytest.raises(ValueError, match="serverless"):
        PublishConfig(app_name="a", repo_name="a", architecture="serverless")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("repo", "fragment"),
    [
        ("", "Give the repository a name"),
        ("a" * 101, "at most 100 characters"),
        ("my repo", "only letters, digits"),
        ("shop/site", "only letters, digits"),
        ("caf\u00e9", "only letters, digits"),
        (".", "'.' and '..'"),
        ("..", "'.' and '..'"),
        ("site.git", "cannot end in '.git'"),
        ("Site.GIT", "cannot end in '.git'"),
    ],
)
def test_config_repo_name_rules(repo: str, fragment: str) -> None:
    problems = BASE.with_changes(repo_name=repo).validate()
    assert [(p.field, p.severity) for p in problems] == [("repo_name", "error")]
    assert fragment in problems[0].message


@pytest.mark.parametrize("repo", ["a", "my.site-2_x", "a" * 100, ".github", "git"])
def test_config_repo_name_accepts_github_names(repo: str) -> None:
    assert BASE.with_changes(repo_name=repo).validate() == []


@pytest.mark.parametrize(
    ("changes", "field", "severity", "fragment"),
    [
        ({"app_name": "  "}, "app_name", "error", "Give the app a name"),
        ({"app_name": "x" * 101}, "app_name", "error", "longer than 100"),
        ({"app_name": "a\nb"}, "app_name", "error", "control characters"),
        ({"description": "d" * 351}, "description", "error", "350 characters"),
        ({"categories": ()}, "categories", "warning", "No API category"),
        (
            {"backend": Backend.CONVEX},
            "backend",
            "error",
            "thin client keeps all data in l4yercak3",
        ),
        (
            {"architecture": Architecture.FULL_STACK},
            "backend",
            "error",
            "Full stack means an own database",
        ),
        (
            {"architecture": Architecture.HYBRID, "auth": AuthProvider.NEXTAUTH},
            "auth",
            "error",
            "Hybrid apps sign users in with l4yercak3 OAuth",
        ),
        (
            {"architecture": Architecture.HYBRID},
            "auth",
            "error",
            "Hybrid apps sign users in with l4yercak3 OAuth",
        ),
        (
            {
                "architecture": Architecture.FULL_STACK,
                "backend": Backend.CONVEX,
                "auth": AuthProvider.SUPABASE_AUTH,
            },
            "auth",
            "error",
            "Supabase Auth needs the Supabase backend",
        ),
        ({"auth": AuthProvider.SUPABASE_AUTH}, "auth", "error", "Supabase Auth needs"),
        ({"payments": Payments.INVOICING}, "payments", "error", "add the Invoices category"),
        ({"payments": Payments.BOTH}, "payments", "error", "add the Invoices category"),
        (
            {"categories": (Category.PRODUCTS,)},
            "payments",
            "warning",
            "nothing takes payment",
        ),
        (
            {"categories": (Category.CRM, Category.INVOICES)},
            "auth",
            "warning",
            "Without sign-in the pages of crm, invoices are left out",
        ),
        ({"platform_url": "ftp://x"}, "platform_url", "error", "http(s) URL"),
        ({"platform_url": "app.l4yercak3.com"}, "platform_url", "error", "http(s) URL"),
        ({"platform_url": "http://example.com"}, "platform_url", "error", "must use https"),
        (
            {"platform_url": "https://u:p@example.com"},
            "platform_url",
            "error",
            "without query, fragment or credentials",
        ),
        ({"org_id": "org 1"}, "org_id", "error", "1-64 letters"),
    ],
)
def test_config_validation_rules(
    changes: dict[str, Any], field: str, severity: str, fragment: str
) -> None:
    problems = BASE.with_changes(**changes).validate()
    matching = [p for p in problems if p.field == field and fragment in p.message]
    assert matching, problems
    assert matching[0].severity == severity
    assert BASE.with_changes(**changes).is_valid == (severity == "warning" and len(problems) == 1)


@pytest.mark.parametrize(
    "changes",
    [
        {"platform_url": "http://127.0.0.1:8765"},
        {"platform_url": "http://localhost:3000"},
        {"architecture": Architecture.HYBRID, "auth": AuthProvider.L4YERCAK3_OAUTH},
        {
            "architecture": Architecture.FULL_STACK,
            "backend": Backend.SUPABASE,
            "auth": AuthProvider.SUPABASE_AUTH,
        },
        {"categories": (Category.PRODUCTS, Category.CHECKOUT)},
        {"categories": (Category.INVOICES,), "payments": Payments.INVOICING, "auth": "clerk"},
    ],
)
def test_config_validation_accepts_consistent_choices(changes: dict[str, Any]) -> None:
    assert BASE.with_changes(**changes).validate() == []


def test_config_validation_reports_every_problem_at_once() -> None:
    config = PublishConfig(
        app_name="",
        repo_name="bad name",
        architecture=Architecture.HYBRID,
        auth=AuthProvider.SUPABASE_AUTH,
        payments=Payments.INVOICING,
    )
    fields = [p.field for p in config.errors()]
    assert fields == ["app_name", "repo_name", "auth", "auth", "payments"]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_config_matrix_configs_are_valid(name: str) -> None:
    assert MATRIX[name].errors() == []


# --- persistence ---------------------------------------------------------------------------
def test_config_round_trips_through_json() -> None:
    for config in MATRIX.values():
        data = json.loads(json.dumps(config.to_dict()))
        assert PublishConfig.from_dict(data) == config


def test_config_to_dict_is_plain_json() -> None:
    data = MATRIX["hybrid-supabase-all"].to_dict()
    assert data["version"] == 1
    assert data["architecture"] == "hybrid"
    assert data["categories"][:2] == ["products", "events"]
    assert type(data["backend"]) is str


def test_config_from_dict_tolerates_unknown_and_missing_keys() -> None:
    config = PublishConfig.from_dict(
        {"app_name": "A", "repo_name": "a", "futureOption": {"x": 1}, "version": 7}
    )
    assert config == PublishConfig(app_name="A", repo_name="a")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"app_name": "A", "repo_name": "a", "backend": "mongodb"}, "mongodb"),
        ({"app_name": "A", "repo_name": "a", "categories": ["blog"]}, "blog"),
        ({"app_name": "A", "repo_name": "a", "categories": "forms"}, "must be a list"),
        ({"app_name": 3, "repo_name": "a"}, "app_name must be a string"),
        ({"app_name": "A", "repo_name": "a", "private": "yes"}, "private must be"),
    ],
)
def test_config_from_dict_rejects_bad_values(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(InvalidPublishConfig, match=fragment):
        PublishConfig.from_dict(data)


# --- environment variables ------------------------------------------------------------------
def _names(config: PublishConfig) -> list[str]:
    return [v.name for v in env_vars(config)]


def test_env_vars_thin_client_reads_only_the_platform_variables() -> None:
    assert _names(BASE) == [
        "NEXT_PUBLIC_L4YERCAK3_URL",
        "L4YERCAK3_API_KEY",
        "L4YERCAK3_ORG_ID",
        "L4YERCAK3_WEBHOOK_SECRET",
    ]
    secrets = {v.name for v in env_vars(BASE) if v.secret}
    assert secrets == {"L4YERCAK3_API_KEY", "L4YERCAK3_WEBHOOK_SECRET"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"payments": Payments.STRIPE},
            {"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY"},
        ),
        (
            {"architecture": Architecture.FULL_STACK, "backend": Backend.CONVEX},
            {"CONVEX_URL", "CONVEX_SYNC_SECRET", "CRON_SECRET"},
        ),
        (
            {"architecture": Architecture.FULL_STACK, "backend": Backend.SUPABASE},
            {"NEXT_PUBLIC_SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "CRON_SECRET"},
        ),
        (
            {
                "architecture": Architecture.FULL_STACK,
                "backend": Backend.SUPABASE,
                "auth": AuthProvider.SUPABASE_AUTH,
            },
            {
                "NEXT_PUBLIC_SUPABASE_URL",
                "NEXT_PUBLIC_SUPABASE_ANON_KEY",
                "SUPABASE_SERVICE_ROLE_KEY",
                "CRON_SECRET",
            },
        ),
        (
            {"architecture": Architecture.FULL_STACK, "backend": Backend.NEON_DRIZZLE},
            {"DATABASE_URL", "CRON_SECRET"},
        ),
        (
            {"auth": AuthProvider.L4YERCAK3_OAUTH},
            {"L4YERCAK3_OAUTH_CLIENT_ID", "L4YERCAK3_OAUTH_CLIENT_SECRET", "SESSION_SECRET"},
        ),
        (
            {"auth": AuthProvider.NEXTAUTH},
            {
                "NEXTAUTH_URL",
                "NEXTAUTH_SECRET",
                "AUTH_OIDC_ISSUER",
                "AUTH_OIDC_CLIENT_ID",
                "AUTH_OIDC_CLIENT_SECRET",
            },
        ),
        ({"auth": AuthProvider.CLERK}, {"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY"}),
        ({"categories": (Category.CONVERSATIONS,)}, {"L4YERCAK3_AGENT_ID"}),
        (
            {"categories": (Category.CRM,), "auth": AuthProvider.CLERK},
            {"APP_ADMIN_EMAILS", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_SECRET_KEY"},
        ),
    ],
)
def test_env_vars_per_option(changes: dict[str, Any], expected: set[str]) -> None:
    base = set(_names(BASE))
    assert set(_names(BASE.with_changes(**changes))) - base == expected


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_env_vars_are_well_formed(name: str) -> None:
    variables = env_vars(MATRIX[name])
    names = [v.name for v in variables]
    assert len(names) == len(set(names))
    for var in variables:
        assert ENV_VAR_NAME.match(var.name)
        assert var.description
        if var.secret:
            assert var.example == ""
            assert not var.name.startswith("NEXT_PUBLIC_"), "public vars reach the browser"


def test_env_var_rejects_bad_names_and_secret_examples() -> None:
    with pytest.raises(ValueError, match="invalid environment variable name"):
        EnvVar("lower_case", "x", False)
    with pytest.raises(ValueError, match="invalid environment variable name"):
        EnvVar("1ABC", "x", False)
    with pytest.raises(ValueError, match="must not carry an example"):
        EnvVar("API_KEY", "x", True, "sk_test_123")


def test_env_vars_carry_the_configured_platform_values() -> None:
    config = BASE.with_changes(platform_url="http://127.0.0.1:9000", org_id="org_42")
    by_name = {v.name: v for v in env_vars(config)}
    assert by_name["NEXT_PUBLIC_L4YERCAK3_URL"].example == "http://127.0.0.1:9000"
    assert by_name["L4YERCAK3_ORG_ID"].example == "org_42"
    assert by_name["L4YERCAK3_API_KEY"].provided_by == "console"


# --- deploy-time registration ----------------------------------------------------------------
def test_webhook_events_follow_the_categories() -> None:
    assert webhook_events(BASE) == ["form.submitted"]
    assert webhook_events(BASE.with_changes(categories=(Category.EVENTS,))) == []
    assert webhook_events(MATRIX["thin-all-noauth"]) == [
        "form.submitted",
        "payment.completed",
        "contact.created",
        "conversation.started",
        "conversation.closed",
        "conversation.handed_off",
        "message.received",
    ]


def test_api_scopes_read_everything_selected_and_write_where_the_app_writes() -> None:
    config = BASE.with_changes(categories=(Category.PRODUCTS, Category.FORMS))
    assert api_scopes(config) == ["products:read", "forms:read", "forms:write"]


def test_config_problem_is_a_value() -> None:
    assert ConfigProblem("a", "b") == ConfigProblem("a", "b", "error")
