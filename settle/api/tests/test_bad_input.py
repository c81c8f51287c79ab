"""Input no endpoint may answer with a 500."""


def test_it_refuses_nul_characters_without_crashing(api_client, alice):
    # PostgreSQL can neither store nor compare NUL; none of these may reach it.
    calls = [
        lambda: api_client.put(
            "/api/v1/debtors",
            data=[{"number": "D1", "name": "A\u0000B", "email": "a@example.test"}],
            content_type="application/json",
        ),
        lambda: api_client.put(
            "/api/v1/debtors",
            data=[{"number": "D1", "name": "A", "address": {"city": "\u0000"}}],
            content_type="application/json",
        ),
        lambda: api_client.get("/api/v1/invoices", {"debtor_number": "D\x00"}),
        lambda: api_client.get("/api/v1/invoices", {"collection_status": "\x00"}),
        lambda: api_client.get("/api/v1/invoices/F%00"),
        lambda: api_client.put(
            "/api/v1/invoices/F%00/document", data=b"%PDF-", content_type="application/pdf"
        ),
        lambda: api_client.post(
            "/api/v1/payments",
            data={"amount": "1.00", "date": "2025-01-01", "reference": "R\u0000"},
            content_type="application/json",
        ),
        lambda: api_client.post(
            "/api/v1/payments",
            data={"amount": "1.00", "date": "2025-01-01", "debtor_number": "\u0000"},
            content_type="application/json",
        ),
        lambda: api_client.post(
            "/api/v1/payments",
            data={
                "amount": "1.00",
                "date": "2025-01-01",
                "allocations": [{"invoice_number": "F\u0000", "amount": "1.00"}],
            },
            content_type="application/json",
        ),
    ]
    for call in calls:
        response = call()
        assert response.status_code == 422, response.content
        assert "NUL" in str(response.json())


def test_it_answers_413_for_a_json_body_beyond_the_upload_limit(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '[{"number": "D1", "name": "%s"}]' % ("x" * 2000)

    for method, url in (("put", "/api/v1/debtors"), ("post", "/api/v1/payments")):
        response = getattr(api_client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 413
        assert response.json()["detail"] == "The request body is too large."
