"""The OpenAPI document says what the API really sends: one error object (not FastAPI's
`detail` list) under every status an operation can answer, and the file formats it serves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gis_app.http.openapi import ERROR_STATUSES, ErrorStatus, add_error_responses

ERROR_REF = "#/components/schemas/ErrorBody"


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _error_schema(operation: dict, status: str) -> str | None:
    content = operation["responses"].get(status, {}).get("content", {})
    return content.get("application/json", {}).get("schema", {}).get("$ref")


def test_no_operation_documents_fastapis_detail_list(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(document)
    assert "ErrorBody" in document["components"]["schemas"]
    for path, method, operation in _operations(document):
        if operation.get("parameters") or operation.get("requestBody"):
            for status in ("404", "422"):
                declared = operation["responses"].get(status)
                assert declared is not None, (method, path, status)
                if "report" not in declared["description"]:
                    assert _error_schema(operation, status) == ERROR_REF, (method, path, status)
        assert _error_schema(operation, "503") == ERROR_REF, (method, path)


def test_statuses_follow_what_an_operation_takes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    upload = paths["/api/v1/imports"]["post"]["responses"]
    assert {"400", "404", "409", "413", "422", "503"} <= upload.keys()
    health = paths["/api/health"]["get"]["responses"]
    assert health.keys() == {"200", "503"}
    listing = paths["/api/v1/buildings"]["get"]["responses"]
    assert "413" not in listing and "409" not in listing and "400" not in listing
    assert "400" in paths["/ogc/collections/{collection_id}/items"]["get"]["responses"]


def test_the_error_schema_is_what_errors_send(client: TestClient) -> None:
    """The answers of an unknown id, a bad parameter and an unknown path, checked against
    the schema's required members."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ErrorDetail"]
    for answer, status in (
        (client.get("/api/v1/buildings/999999"), 404),
        (client.get("/api/v1/buildings?bbox=1,2"), 422),
        (client.get("/api/v1/no-such-thing"), 404),
        (client.delete("/api/v1/buildings"), 405),
    ):
        assert answer.status_code == status
        detail = answer.json()["detail"]
        assert isinstance(detail, dict)
        assert set(schema["required"]) <= detail.keys()
        assert detail["message"]


def test_unknown_paths_answer_in_the_readers_language(client: TestClient) -> None:
    zh = client.get("/api/v1/no-such-thing").json()["detail"]["message"]
    en = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"}).json()
    assert zh != en["detail"]["message"]
    assert en["detail"]["code"] == "NotFound"


def test_file_formats_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def types(path: str, method: str = "get") -> set[str]:
        return set(paths[path][method]["responses"]["200"]["content"])

    assert {"text/csv", "application/geopackage+sqlite3", "text/html"} <= types(
        "/api/v1/land/search", "post"
    )
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= (
        types("/api/v1/analysis/vacancy")
    )
    assert {"text/html", "image/png"} <= types("/api/v1/maps/export")
    assert "image/png" in types("/api/v1/rasters/{code}/image.png")
    assert "application/zip" in types("/api/v1/imdf")
    assert {"application/geopackage+sqlite3", "application/zip"} <= types(
        "/ogc/collections/{collection_id}/items"
    )


def test_the_ogc_document_carries_the_same_errors(client: TestClient) -> None:
    document = client.get("/ogc/api").json()
    items = document["paths"]["/collections/{collectionId}/items"]["get"]
    assert _error_schema(items, "400") == ERROR_REF
    assert "ErrorBody" in document["components"]["schemas"]


def test_signed_in_operations_declare_401_403_and_their_schemes(client: TestClient) -> None:
    """401/403 are rules of ERROR_STATUSES read from each operation's declared rights."""
    document = client.get("/openapi.json").json()
    health = document["paths"]["/api/health"]["get"]
    buildings = document["paths"]["/api/v1/buildings"]["get"]
    assert health["x-gis-rights"] == ["public"] and health["security"] == []
    assert not {"401", "403"} & set(health["responses"])
    assert buildings["x-gis-rights"] == ["read"]
    assert _error_schema(buildings, "401") == ERROR_REF
    assert _error_schema(buildings, "403") == ERROR_REF
    assert buildings["security"] == [{"bearer": []}, {"session": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["basic"]["scheme"] == "basic"
    items = client.get("/ogc/api").json()["paths"]["/collections/{collectionId}/items"]["get"]
    assert {"basic": []} in items["security"]


def test_a_new_status_for_some_operations_is_one_rule() -> None:
    """A status for some operations is one more rule, nothing per route."""
    document = {
        "paths": {
            "/api/v1/private": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/api/health": {"get": {"responses": {"200": {"description": "ok"}}}},
        }
    }
    gone = ErrorStatus(410, "Gone", lambda e: e.path != "/api/health")
    add_error_responses(document, (*ERROR_STATUSES, gone))
    assert "410" in document["paths"]["/api/v1/private"]["get"]["responses"]
    assert "410" not in document["paths"]["/api/health"]["get"]["responses"]
